import { AcceptedTask, DispatchItem } from '../task.types';
import type { Sql as Q } from './sql-connection';
import { EVENT_COLUMNS, EventRow } from './task-rows';

/** Inserts and dispatches outside the group commit (workflow steps written in their run's transaction, the scan). */
export async function insertTasks(q: Q, tasks: AcceptedTask[]): Promise<{ inserted: Set<string>; events: EventRow[] }> {
  if (tasks.length === 0) return { inserted: new Set(), events: [] };
  const rows = await q.query<EventRow & { inserted_task: string }>(
    `WITH v AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
         task_id uuid, title text, description text, input jsonb, requested_agent_id text, role text, capability text,
         min_proficiency int, priority int, timeout_seconds int, max_attempts int, queue_timeout_seconds int,
         heartbeat_timeout_seconds int, idempotency_key text, workflow_run_id uuid, step_key text, created_at timestamptz,
         created_by text, traceparent text, budget jsonb)
     ), ins AS (
       INSERT INTO task_history (task_id, task_title, task_description, input, requested_agent_id, role, capability, min_proficiency,
         priority, timeout_seconds, max_attempts, queue_timeout_seconds, heartbeat_timeout_seconds, queue_deadline, idempotency_key,
         workflow_run_id, step_key, status, created_at, updated_at, created_by, traceparent, budget)
       SELECT task_id, title, description, input, requested_agent_id, role, capability, min_proficiency,
         priority, timeout_seconds, max_attempts, queue_timeout_seconds, heartbeat_timeout_seconds,
         created_at + make_interval(secs => queue_timeout_seconds),
         idempotency_key, workflow_run_id, step_key, 'pending', created_at, created_at, created_by, traceparent, budget FROM v
       ON CONFLICT DO NOTHING
       RETURNING task_id, created_at
     ), e AS (
       INSERT INTO task_events (task_id, attempt, type, status, created_at)
       SELECT task_id, 0, 'accepted', 'pending', created_at FROM ins
       RETURNING *
     )
     SELECT ${EVENT_COLUMNS}, e.task_id AS inserted_task FROM e`,
    [JSON.stringify(tasks)],
    'ea_insert_tasks',
  );
  return { inserted: new Set(rows.map((r) => r.inserted_task)), events: rows };
}

export async function findByIdempotencyKeys(
  q: Q,
  keys: string[],
): Promise<Map<string, { task_id: string; status: string }>> {
  if (keys.length === 0) return new Map();
  const rows = await q.query<{ task_id: string; status: string; idempotency_key: string }>(
    `SELECT task_id, status, idempotency_key FROM task_history WHERE idempotency_key = ANY($1::text[])`,
    [keys],
    'ea_find_idempotency',
  );
  return new Map(rows.map((r) => [r.idempotency_key, { task_id: r.task_id, status: r.status }]));
}

/** Moves each task to the given attempt on the given agent, if it is still at the attempt before and the agent exists. */
export async function markDispatched(q: Q, items: DispatchItem[]): Promise<EventRow[]> {
  if (items.length === 0) return [];
  return q.query<EventRow>(
    `WITH v AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(task_id uuid, attempt int, agent_id text, deadline timestamptz, at timestamptz, reason text)
     ), u AS (
       UPDATE task_history t
          SET attempt = v.attempt, agent_id = v.agent_id, deadline = v.deadline, dispatched_at = v.at,
              status = 'pending', started_at = NULL, updated_at = v.at
         FROM v
        WHERE t.task_id = ANY($2::uuid[]) AND t.task_id = v.task_id AND t.attempt = v.attempt - 1 AND t.status IN ('pending', 'in_progress')
          AND EXISTS (SELECT 1 FROM agent_registry a WHERE a.agent_id = v.agent_id)
       RETURNING t.task_id, v.attempt, v.agent_id, v.deadline, v.at, v.reason
     ), a AS (
       INSERT INTO task_attempts (task_id, attempt, agent_id, status, dispatched_at, deadline)
       SELECT task_id, attempt, agent_id, 'dispatched', at, deadline FROM u
       ON CONFLICT DO NOTHING
     ), e AS (
       INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail, created_at)
       SELECT task_id, attempt, 'dispatched', 'pending', agent_id,
              CASE WHEN reason IS NULL THEN NULL ELSE jsonb_build_object('reason', reason) END, at FROM u
       RETURNING *
     )
     SELECT ${EVENT_COLUMNS} FROM e`,
    [JSON.stringify(items), items.map((i) => i.task_id)],
    'ea_mark_dispatched',
  );
}
