import type { AgentView } from '@app/contracts';
import { Freshness } from '../freshness/freshness.store';
import { AgentRow } from './agents.repository';
import { loadPercentage } from './discovery-ranking';

/** An agent as the HTTP API shows it: the contract in @app/contracts (registry-api). */
export type { AgentView };

/**
 * Lays Redis's fresher heartbeat and reported load over the PostgreSQL row: the API answers
 * what the latest heartbeat said even before the batched flush reached the database.
 */
export function toAgentView(row: AgentRow, fresh: Freshness | undefined): AgentView {
  const stored = row.last_heartbeat ? row.last_heartbeat.getTime() : undefined;
  const heartbeat = Math.max(stored ?? -Infinity, fresh?.heartbeatMs ?? -Infinity);
  const current = fresh?.currentTasks ?? row.current_tasks;
  const max = fresh?.maxTasks ?? row.max_tasks;
  return {
    agent_id: row.agent_id,
    name: row.name,
    role: row.role,
    status: row.status,
    host: row.host,
    port: row.port,
    last_heartbeat: Number.isFinite(heartbeat) ? new Date(heartbeat).toISOString() : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    metadata: row.metadata,
    capabilities: row.capabilities,
    load: {
      current_tasks: current,
      max_tasks: max,
      load_percentage: loadPercentage(current, max),
      avg_task_duration_sec: row.avg_task_duration_sec,
      total_tasks_completed: row.total_tasks_completed,
    },
  };
}
