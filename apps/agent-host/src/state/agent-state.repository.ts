import { Injectable } from '@nestjs/common';
import { Database } from '@app/persistence';

/** The seed's state manager: one JSON document per agent in `agent_state`. */
@Injectable()
export class AgentStateRepository {
  constructor(private readonly db: Database) {}

  async load(agentId: string): Promise<Record<string, unknown> | null> {
    const rows = await this.db.query<{ state: Record<string, unknown> }>(
      'SELECT state FROM agent_state WHERE agent_id = $1',
      [agentId],
    );
    return rows[0]?.state ?? null;
  }

  /** Upsert; fails with a foreign-key error while the registry has no row for the agent yet. */
  async save(agentId: string, state: Record<string, unknown>): Promise<void> {
    await this.db.query(
      `INSERT INTO agent_state (agent_id, state, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (agent_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
      [agentId, JSON.stringify(state)],
    );
  }
}
