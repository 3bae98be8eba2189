import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { AgentStatus, REMOTE_METADATA_KEY, RemoteAgentMetadata } from '@app/contracts';

export interface RemoteAgentRow {
  agent_id: string;
  status: AgentStatus;
  remote: RemoteAgentMetadata;
}

/** Remote agents are agent_registry rows whose metadata carries `a2a_remote` (docs/decisions/0102). */
@Injectable()
export class RemoteAgentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async all(): Promise<RemoteAgentRow[]> {
    return this.db.query(
      `SELECT agent_id, status, metadata->'${REMOTE_METADATA_KEY}' AS remote
         FROM agent_registry WHERE metadata ? '${REMOTE_METADATA_KEY}' ORDER BY agent_id`,
    );
  }

  /**
   * Runs `fn` while holding the id-assignment lock (a session advisory lock on its own
   * connection), so two registrations at once never pick the same EXT-nnn.
   */
  async withIdLock<T>(fn: (q: QueryRunner) => Promise<T>): Promise<T> {
    const q = this.db.createQueryRunner();
    await q.connect();
    try {
      await q.query(`SELECT pg_advisory_lock(hashtext('ea:remote-agent-ids'))`);
      try {
        return await fn(q);
      } finally {
        await q.query(`SELECT pg_advisory_unlock(hashtext('ea:remote-agent-ids'))`);
      }
    } finally {
      await q.release();
    }
  }

  async findByCardUrl(q: QueryRunner, cardUrl: string): Promise<string | undefined> {
    const rows = (await q.query(
      `SELECT agent_id FROM agent_registry WHERE metadata->'${REMOTE_METADATA_KEY}'->>'card_url' = $1 LIMIT 1`,
      [cardUrl],
    )) as { agent_id: string }[];
    return rows[0]?.agent_id;
  }

  /** Whether the id is taken, and by a remote agent or one of ours. */
  async holder(q: QueryRunner, agentId: string): Promise<'none' | 'remote' | 'local'> {
    const rows = (await q.query(
      `SELECT metadata ? '${REMOTE_METADATA_KEY}' AS remote FROM agent_registry WHERE agent_id = $1`,
      [agentId],
    )) as { remote: boolean }[];
    if (rows.length === 0) return 'none';
    return rows[0].remote ? 'remote' : 'local';
  }

  /** The next free `<prefix>-nnn` (undefined when all 999 are taken). */
  async nextId(q: QueryRunner, prefix: string): Promise<string | undefined> {
    const rows = (await q.query(
      `SELECT max(substring(agent_id from $2::int)::int) AS n FROM agent_registry WHERE agent_id ~ $1`,
      [`^${prefix}-[0-9]{3}$`, prefix.length + 2],
    )) as { n: number | null }[];
    const next = (rows[0]?.n ?? 0) + 1;
    return next > 999 ? undefined : `${prefix}-${String(next).padStart(3, '0')}`;
  }

  /** Records the outcome of a probe in the agent's metadata (for operators reading GET /api/agents/{id}). */
  async recordProbe(agentId: string, at: Date, error: string | null): Promise<void> {
    await this.db.query(
      `UPDATE agent_registry
          SET metadata = jsonb_set(metadata, '{${REMOTE_METADATA_KEY}}',
                (metadata->'${REMOTE_METADATA_KEY}') || jsonb_build_object('last_probe_at', $2::text, 'last_probe_error', $3::text))
        WHERE agent_id = $1 AND metadata ? '${REMOTE_METADATA_KEY}'`,
      [agentId, at.toISOString(), error],
    );
  }
}
