import { Injectable } from '@nestjs/common';
import { AgentStatus } from '@app/contracts';
import { Database } from '@app/persistence';

export interface FlushEntry {
  agentId: string;
  heartbeatMs?: number;
  currentTasks?: number;
  maxTasks?: number;
}

@Injectable()
export class HeartbeatsRepository {
  constructor(private readonly db: Database) {}

  /**
   * The batched flush: one statement, one commit for every agent that beat since the last one.
   * last_heartbeat only moves forward; load only changes when it differs.
   */
  async flush(entries: readonly FlushEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `WITH v AS (
         SELECT * FROM unnest($1::varchar[], $2::float8[], $3::int[], $4::int[]) AS v(agent_id, hb_ms, cur, max)
         ORDER BY agent_id
       ),
       hb AS (
         UPDATE agent_registry a SET last_heartbeat = GREATEST(a.last_heartbeat, to_timestamp(v.hb_ms / 1000.0))
         FROM v WHERE a.agent_id = v.agent_id AND v.hb_ms IS NOT NULL
           AND (a.last_heartbeat IS NULL OR a.last_heartbeat < to_timestamp(v.hb_ms / 1000.0))
         RETURNING 1
       ),
       ld AS (
         UPDATE agent_load l SET current_tasks = COALESCE(v.cur, l.current_tasks), max_tasks = COALESCE(v.max, l.max_tasks), updated_at = now()
         FROM v WHERE l.agent_id = v.agent_id
           AND (l.current_tasks IS DISTINCT FROM COALESCE(v.cur, l.current_tasks) OR l.max_tasks IS DISTINCT FROM COALESCE(v.max, l.max_tasks))
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM hb) AS heartbeats, (SELECT count(*) FROM ld) AS loads`,
      [
        entries.map((e) => e.agentId),
        entries.map((e) => e.heartbeatMs ?? null),
        entries.map((e) => e.currentTasks ?? null),
        entries.map((e) => e.maxTasks ?? null),
      ],
    );
  }

  /**
   * The rare path: a beat from an agent that was offline. Sets last_heartbeat under the row lock,
   * so a sweeper that expired it concurrently (and only updates still-stale rows) cannot win.
   */
  async revive(
    agentId: string,
    at: Date,
  ): Promise<{ previous: AgentStatus; status: AgentStatus; role: string } | undefined> {
    const rows = await this.db.query<{ previous: AgentStatus; status: AgentStatus; role: string }>(
      `WITH old AS (SELECT agent_id, status FROM agent_registry WHERE agent_id = $1 FOR UPDATE)
       UPDATE agent_registry a SET
         last_heartbeat = GREATEST(a.last_heartbeat, $2),
         status = CASE WHEN old.status = 'offline' THEN 'online' ELSE old.status END,
         updated_at = CASE WHEN old.status = 'offline' THEN now() ELSE a.updated_at END
       FROM old WHERE a.agent_id = old.agent_id
       RETURNING old.status AS previous, a.status, a.role`,
      [agentId, at],
    );
    return rows[0];
  }
}
