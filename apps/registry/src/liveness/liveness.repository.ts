import { Injectable } from '@nestjs/common';
import { AgentStatus } from '@app/contracts';
import { Database } from '@app/persistence';

export interface ExpiredAgent {
  agent_id: string;
  role: string;
  previous: AgentStatus;
  last_heartbeat: Date | null;
}

@Injectable()
export class LivenessRepository {
  constructor(private readonly db: Database) {}

  /**
   * Agents not offline whose stored heartbeat is older than the cutoff. PostgreSQL's value is
   * never newer than Redis's, so this is a superset of the truly stale; Redis has the final say.
   */
  async staleCandidates(cutoff: Date): Promise<string[]> {
    const rows = await this.db.query<{ agent_id: string }>(
      `SELECT agent_id FROM agent_registry WHERE status <> 'offline' AND (last_heartbeat IS NULL OR last_heartbeat < $1)`,
      [cutoff],
    );
    return rows.map((r) => r.agent_id);
  }

  /**
   * Conditional: only rows still stale under their lock go offline, so a beat that revived an
   * agent meanwhile wins, and of several sweeping replicas only one reports each agent.
   */
  async markOffline(agentIds: readonly string[], cutoff: Date): Promise<ExpiredAgent[]> {
    if (agentIds.length === 0) return [];
    return this.db.query<ExpiredAgent>(
      `WITH old AS (
         SELECT agent_id, status FROM agent_registry
         WHERE agent_id = ANY($1::varchar[]) AND status <> 'offline' AND (last_heartbeat IS NULL OR last_heartbeat < $2)
         ORDER BY agent_id FOR UPDATE
       )
       UPDATE agent_registry a SET status = 'offline', updated_at = now() FROM old
       WHERE a.agent_id = old.agent_id
       RETURNING a.agent_id, a.role, old.status AS previous, a.last_heartbeat`,
      [agentIds, cutoff],
    );
  }

  async countByRoleAndStatus(): Promise<{ role: string; status: string; count: number }[]> {
    return this.db.query(`SELECT role, status, count(*)::int AS count FROM agent_registry GROUP BY role, status`);
  }
}
