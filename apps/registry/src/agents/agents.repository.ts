import { Injectable } from '@nestjs/common';
import type { AgentStatus, AgentView } from '@app/contracts';
import { Database, Sql } from '@app/persistence';

/** An agent as stored: the contract's view fields (@app/contracts AgentView), with times as Dates and load flat. */
export interface AgentRow extends Pick<
  AgentView,
  'agent_id' | 'name' | 'role' | 'status' | 'host' | 'port' | 'metadata' | 'capabilities'
> {
  last_heartbeat: Date | null;
  created_at: Date;
  updated_at: Date;
  current_tasks: number;
  max_tasks: number;
  avg_task_duration_sec: number | null;
  total_tasks_completed: number;
}

export interface CandidateRow {
  agent_id: string;
  name: string;
  role: string;
  current_tasks: number;
  max_tasks: number;
  proficiency_level?: number;
}

export interface RegisterInput {
  agentId: string;
  name: string;
  role: string;
  host: string;
  port: number;
  metadata: Record<string, unknown>;
  capabilities: { capability: string; proficiency_level: number }[];
  maxTasks?: number;
  heartbeatAt: Date;
}

export interface ListFilter {
  role?: string;
  status?: AgentStatus;
  capability?: string;
  limit: number;
  offset: number;
}

export interface LoadRow {
  current_tasks: number;
  max_tasks: number;
  avg_task_duration_sec: number | null;
  total_tasks_completed: number;
}

const AGENT_COLUMNS = `
  a.agent_id, a.name, a.role, a.status, a.host, a.port, a.last_heartbeat, a.created_at, a.updated_at, a.metadata,
  COALESCE(l.current_tasks, 0) AS current_tasks, COALESCE(l.max_tasks, 3) AS max_tasks,
  l.avg_task_duration_sec, COALESCE(l.total_tasks_completed, 0) AS total_tasks_completed,
  COALESCE((SELECT json_agg(json_build_object('capability', c.capability, 'proficiency_level', c.proficiency_level)
                            ORDER BY c.capability)
            FROM agent_capabilities c WHERE c.agent_id = a.agent_id), '[]'::json) AS capabilities`;

/** All SQL about agents, their capabilities and load. Values are always bound parameters. */
@Injectable()
export class AgentsRepository {
  constructor(private readonly db: Database) {}

  /** Insert or replace an agent, its capabilities and its load row in one transaction (the caller's, when given). */
  async register(input: RegisterInput, within?: Sql): Promise<{ created: boolean }> {
    const work = async (tx: Sql) => {
      const rows = await tx.query<{ created: boolean }>(
        `INSERT INTO agent_registry (agent_id, name, role, status, host, port, last_heartbeat, metadata)
         VALUES ($1, $2, $3, 'online', $4, $5, $6, $7)
         ON CONFLICT (agent_id) DO UPDATE SET
           name = EXCLUDED.name, role = EXCLUDED.role, status = 'online', host = EXCLUDED.host, port = EXCLUDED.port,
           last_heartbeat = GREATEST(agent_registry.last_heartbeat, EXCLUDED.last_heartbeat),
           metadata = EXCLUDED.metadata, updated_at = now()
         RETURNING (xmax = 0) AS created`,
        [
          input.agentId,
          input.name,
          input.role,
          input.host,
          input.port,
          input.heartbeatAt,
          JSON.stringify(input.metadata),
        ],
      );
      await tx.query(`DELETE FROM agent_capabilities WHERE agent_id = $1`, [input.agentId]);
      if (input.capabilities.length > 0) {
        await tx.query(
          `INSERT INTO agent_capabilities (agent_id, capability, proficiency_level)
           SELECT $1, c, p FROM unnest($2::varchar[], $3::int[]) AS t(c, p)`,
          [
            input.agentId,
            input.capabilities.map((c) => c.capability),
            input.capabilities.map((c) => c.proficiency_level),
          ],
        );
      }
      await tx.query(
        `INSERT INTO agent_load (agent_id, max_tasks) VALUES ($1, COALESCE($2::int, 3))
         ON CONFLICT (agent_id) DO UPDATE SET max_tasks = COALESCE($2::int, agent_load.max_tasks), updated_at = now()`,
        [input.agentId, input.maxTasks ?? null],
      );
      return { created: rows[0].created };
    };
    return within ? work(within) : this.db.transaction(work);
  }

  async findStatus(agentId: string): Promise<AgentStatus | undefined> {
    // The directory's miss on the heartbeat path: prepared once per connection.
    const rows = await this.db.query<{ status: AgentStatus }>(
      `SELECT status FROM agent_registry WHERE agent_id = $1`,
      [agentId],
      'registry_agent_status',
    );
    return rows[0]?.status;
  }

  async findOne(agentId: string): Promise<AgentRow | undefined> {
    const rows = await this.db.query<AgentRow>(
      `SELECT ${AGENT_COLUMNS} FROM agent_registry a LEFT JOIN agent_load l ON l.agent_id = a.agent_id WHERE a.agent_id = $1`,
      [agentId],
    );
    return rows[0];
  }

  async list(filter: ListFilter): Promise<{ rows: AgentRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.role !== undefined) where.push(`a.role = $${params.push(filter.role)}`);
    if (filter.status !== undefined) where.push(`a.status = $${params.push(filter.status)}`);
    if (filter.capability !== undefined) {
      where.push(
        `EXISTS (SELECT 1 FROM agent_capabilities f WHERE f.agent_id = a.agent_id AND f.capability = $${params.push(filter.capability)})`,
      );
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, counted] = await Promise.all([
      this.db.query<AgentRow>(
        `SELECT ${AGENT_COLUMNS} FROM agent_registry a LEFT JOIN agent_load l ON l.agent_id = a.agent_id ${clause}
         ORDER BY a.agent_id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filter.limit, filter.offset],
      ),
      this.db.query<{ total: number }>(`SELECT count(*)::int AS total FROM agent_registry a ${clause}`, params),
    ]);
    return { rows, total: counted[0].total };
  }

  /** Online agents of a role with their (possibly stale) load; the caller overlays Redis and ranks. */
  async onlineByRole(role: string): Promise<CandidateRow[]> {
    return this.db.query<CandidateRow>(
      `SELECT a.agent_id, a.name, a.role, l.current_tasks, l.max_tasks
       FROM agent_registry a JOIN agent_load l ON l.agent_id = a.agent_id
       WHERE a.role = $1 AND a.status = 'online'`,
      [role],
      'registry_discover_role',
    );
  }

  async onlineByCapability(capability: string, minProficiency: number, role?: string): Promise<CandidateRow[]> {
    return this.db.query<CandidateRow>(
      `SELECT a.agent_id, a.name, a.role, l.current_tasks, l.max_tasks, c.proficiency_level
       FROM agent_capabilities c
       JOIN agent_registry a ON a.agent_id = c.agent_id
       JOIN agent_load l ON l.agent_id = a.agent_id
       WHERE c.capability = $1 AND c.proficiency_level >= $2 AND a.status = 'online' AND ($3::varchar IS NULL OR a.role = $3)`,
      [capability, minProficiency, role ?? null],
      'registry_discover_capability',
    );
  }

  /** Sets the status; returns the previous one, or undefined when the agent does not exist. */
  async updateStatus(
    agentId: string,
    status: AgentStatus,
    sql: Sql = this.db,
  ): Promise<{ previous: AgentStatus; role: string } | undefined> {
    const rows = await sql.query<{ previous: AgentStatus; role: string }>(
      `WITH old AS (SELECT agent_id, status FROM agent_registry WHERE agent_id = $1 FOR UPDATE)
       UPDATE agent_registry a SET status = $2, updated_at = now() FROM old
       WHERE a.agent_id = old.agent_id RETURNING old.status AS previous, a.role`,
      [agentId, status],
    );
    return rows[0];
  }

  async delete(agentId: string, sql: Sql = this.db): Promise<{ role: string } | undefined> {
    const rows = await sql.query<{ role: string }>(`DELETE FROM agent_registry WHERE agent_id = $1 RETURNING role`, [
      agentId,
    ]);
    return rows[0];
  }

  /**
   * One atomic UPDATE: the running average and the completed count are computed from the row's
   * current values under its lock, so concurrent reports never lose a task.
   */
  async reportLoad(
    agentId: string,
    report: { currentTasks?: number; maxTasks?: number; taskDurationSec?: number },
  ): Promise<LoadRow | undefined> {
    const rows = await this.db.query<LoadRow>(
      `UPDATE agent_load SET
         current_tasks = COALESCE($2::int, current_tasks),
         max_tasks = COALESCE($3::int, max_tasks),
         avg_task_duration_sec = CASE WHEN $4::float8 IS NULL THEN avg_task_duration_sec
           ELSE (COALESCE(avg_task_duration_sec, 0) * total_tasks_completed + $4::float8) / (total_tasks_completed + 1) END,
         total_tasks_completed = total_tasks_completed + CASE WHEN $4::float8 IS NULL THEN 0 ELSE 1 END,
         updated_at = now()
       WHERE agent_id = $1
       RETURNING current_tasks, max_tasks, avg_task_duration_sec, total_tasks_completed`,
      [agentId, report.currentTasks ?? null, report.maxTasks ?? null, report.taskDurationSec ?? null],
      'registry_report_load',
    );
    return rows[0];
  }
}
