import { Injectable } from '@nestjs/common';
import { AgentStatus, REMOTE_METADATA_KEY, RemoteAgentMetadata } from '@app/contracts';
import { Database, Sql } from '@app/persistence';
import { AgentsRepository, RegisterInput } from '../agents/agents.repository';

export interface RemoteAgentRow {
  agent_id: string;
  status: AgentStatus;
  remote: RemoteAgentMetadata;
}

/** How a remote agent's id is chosen: the one the registration gives, or one the registry assigns. */
export type RemoteIdChoice = { given: string } | { cardUrl: string; prefix: string };

/** A stored registration, or why no id could be had (`local`: one of our own agents holds the given id). */
export type RemoteRegistered = { agentId: string; created: boolean } | { refused: 'local' | 'exhausted' };

/** Remote agents are agent_registry rows whose metadata carries `a2a_remote` (docs/decisions/0102). */
@Injectable()
export class RemoteAgentsRepository {
  constructor(
    private readonly db: Database,
    private readonly agents: AgentsRepository,
  ) {}

  async all(): Promise<RemoteAgentRow[]> {
    return this.db.query<RemoteAgentRow>(
      `SELECT agent_id, status, metadata->'${REMOTE_METADATA_KEY}' AS remote
         FROM agent_registry WHERE metadata ? '${REMOTE_METADATA_KEY}' ORDER BY agent_id`,
    );
  }

  /**
   * Chooses the agent's id and stores the agent in one transaction holding the id-assignment lock
   * (a transaction advisory lock, released at the commit), so two registrations at once never pick
   * the same EXT-nnn. A given id is kept unless one of our own agents holds it; otherwise the same
   * card registered again keeps its id (a refresh, not a second agent), else the next free one.
   */
  async register(choice: RemoteIdChoice, input: Omit<RegisterInput, 'agentId'>): Promise<RemoteRegistered> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('ea:remote-agent-ids'))`);
      const agentId = await this.chooseId(tx, choice);
      if (typeof agentId !== 'string') return agentId;
      const { created } = await this.agents.register({ ...input, agentId }, tx);
      return { agentId, created };
    });
  }

  private async chooseId(tx: Sql, choice: RemoteIdChoice): Promise<string | { refused: 'local' | 'exhausted' }> {
    if ('given' in choice)
      return (await this.holder(tx, choice.given)) === 'local' ? { refused: 'local' } : choice.given;
    return (
      (await this.findByCardUrl(tx, choice.cardUrl)) ??
      (await this.nextId(tx, choice.prefix)) ?? { refused: 'exhausted' }
    );
  }

  private async findByCardUrl(tx: Sql, cardUrl: string): Promise<string | undefined> {
    const rows = await tx.query<{ agent_id: string }>(
      `SELECT agent_id FROM agent_registry WHERE metadata->'${REMOTE_METADATA_KEY}'->>'card_url' = $1 LIMIT 1`,
      [cardUrl],
    );
    return rows[0]?.agent_id;
  }

  /** Whether the id is taken, and by a remote agent or one of ours. */
  private async holder(tx: Sql, agentId: string): Promise<'none' | 'remote' | 'local'> {
    const rows = await tx.query<{ remote: boolean }>(
      `SELECT metadata ? '${REMOTE_METADATA_KEY}' AS remote FROM agent_registry WHERE agent_id = $1`,
      [agentId],
    );
    if (rows.length === 0) return 'none';
    return rows[0].remote ? 'remote' : 'local';
  }

  /** The next free `<prefix>-nnn` (undefined when all 999 are taken). */
  private async nextId(tx: Sql, prefix: string): Promise<string | undefined> {
    const rows = await tx.query<{ n: number | null }>(
      `SELECT max(substring(agent_id from $2::int)::int) AS n FROM agent_registry WHERE agent_id ~ $1`,
      [`^${prefix}-[0-9]{3}$`, prefix.length + 2],
    );
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
