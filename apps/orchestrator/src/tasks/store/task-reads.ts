import { traceIdOf } from '@app/observability';
import type { Sql } from '@app/persistence';
import { EventRow, toEventView } from '../sql';
import { TaskEventView } from '../task.types';
import { ListTasksQuery } from '../dto/list-tasks.query';

export interface TaskView {
  task_id: string;
  title: string | null;
  description: string | null;
  status: string;
  agent_id: string | null;
  requested_agent_id: string | null;
  role: string | null;
  capability: string | null;
  min_proficiency: number | null;
  priority: number;
  input: Record<string, unknown>;
  result: unknown;
  error: string | null;
  attempt: number;
  max_attempts: number;
  timeout_seconds: number;
  /** Null for tasks accepted before queue timeouts existed. */
  queue_timeout_seconds: number | null;
  idempotency_key: string | null;
  workflow_run_id: string | null;
  step_key: string | null;
  deadline: string | null;
  /** The task fails if still not started by then. */
  queue_deadline: string | null;
  created_at: string;
  dispatched_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  cancel_requested_at: string | null;
  updated_at: string;
  created_by: string | null;
  /** The OpenTelemetry trace of the task (null when tracing was off as it was accepted). */
  trace_id: string | null;
}

export interface AttemptView {
  attempt: number;
  agent_id: string;
  status: string;
  dispatched_at: string;
  deadline: string;
  started_at: string | null;
  completed_at: string | null;
  error: string | null;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  /** USD by the host's price table. */
  cost_usd: number | null;
}

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

const TASK_COLUMNS = `task_id, task_title, task_description, status, agent_id, requested_agent_id, role, capability, min_proficiency, priority,
  input, result, error, attempt, max_attempts, timeout_seconds, queue_timeout_seconds, idempotency_key, workflow_run_id, step_key,
  deadline, queue_deadline, created_at,
  dispatched_at, started_at, completed_at, cancel_requested_at, updated_at, created_by, traceparent`;

type TaskRow = Omit<
  TaskView,
  | 'title'
  | 'description'
  | 'deadline'
  | 'queue_deadline'
  | 'created_at'
  | 'dispatched_at'
  | 'started_at'
  | 'completed_at'
  | 'cancel_requested_at'
  | 'updated_at'
  | 'trace_id'
> & {
  task_title: string | null;
  task_description: string | null;
  deadline: Date | null;
  queue_deadline: Date | null;
  created_at: Date;
  dispatched_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
  cancel_requested_at: Date | null;
  updated_at: Date;
  traceparent: string | null;
};

function toView(r: TaskRow): TaskView {
  return {
    task_id: r.task_id,
    title: r.task_title,
    description: r.task_description,
    status: r.status,
    agent_id: r.agent_id,
    requested_agent_id: r.requested_agent_id,
    role: r.role,
    capability: r.capability,
    min_proficiency: r.min_proficiency,
    priority: r.priority,
    input: r.input,
    result: r.result,
    error: r.error,
    attempt: r.attempt,
    max_attempts: r.max_attempts,
    timeout_seconds: r.timeout_seconds,
    queue_timeout_seconds: r.queue_timeout_seconds,
    idempotency_key: r.idempotency_key,
    workflow_run_id: r.workflow_run_id,
    step_key: r.step_key,
    created_by: r.created_by,
    deadline: iso(r.deadline),
    queue_deadline: iso(r.queue_deadline),
    created_at: iso(r.created_at)!,
    dispatched_at: iso(r.dispatched_at),
    started_at: iso(r.started_at),
    completed_at: iso(r.completed_at),
    cancel_requested_at: iso(r.cancel_requested_at),
    updated_at: iso(r.updated_at)!,
    trace_id: traceIdOf(r.traceparent),
  };
}

/** Cursor = base64url of "<created_at ISO>|<task_id>" (keyset pagination, newest first). */
export function encodeCursor(createdAt: string, taskId: string): string {
  return Buffer.from(`${createdAt}|${taskId}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; taskId: string } | undefined {
  const [createdAt, taskId] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !taskId || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/i.test(taskId))
    return undefined;
  return { createdAt, taskId };
}

export async function taskOf(sql: Sql, taskId: string): Promise<TaskView | undefined> {
  const rows: TaskRow[] = await sql.query(`SELECT ${TASK_COLUMNS} FROM task_history WHERE task_id = $1`, [taskId]);
  return rows[0] ? toView(rows[0]) : undefined;
}
export async function attemptsOf(sql: Sql, taskId: string): Promise<AttemptView[]> {
  const rows: (Omit<AttemptView, 'dispatched_at' | 'deadline' | 'started_at' | 'completed_at'> &
    Record<'dispatched_at' | 'deadline', Date> &
    Record<'started_at' | 'completed_at', Date | null>)[] = await sql.query(
    `SELECT attempt, agent_id, status, dispatched_at, deadline, started_at, completed_at, error, model, input_tokens, output_tokens,
            cached_input_tokens, cost_usd::float8 AS cost_usd
         FROM task_attempts WHERE task_id = $1 ORDER BY attempt`,
    [taskId],
  );
  return rows.map((r) => ({
    ...r,
    dispatched_at: iso(r.dispatched_at)!,
    deadline: iso(r.deadline)!,
    started_at: iso(r.started_at),
    completed_at: iso(r.completed_at),
  }));
}
export async function eventsOf(sql: Sql, taskId: string, afterId = '0'): Promise<TaskEventView[]> {
  const rows: EventRow[] = await sql.query(
    // Ordered by the bigint column: the output column `id` is text, and text order puts 10 before 9.
    `SELECT e.id::text AS id, e.task_id, e.attempt, e.type, e.status, e.agent_id, e.detail, e.created_at
       FROM task_events e WHERE e.task_id = $1 AND e.id > $2::bigint ORDER BY e.id`,
    [taskId, afterId],
  );
  return rows.map(toEventView);
}
export async function listOf(
  sql: Sql,
  query: ListTasksQuery,
): Promise<{ tasks: TaskView[]; next_cursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (query.status) add('status = ?', query.status);
  // The agent a task runs on, or, while it waits for a slot, the agent it asked for.
  if (query.agent_id) add('(agent_id = ? OR (agent_id IS NULL AND requested_agent_id = ?))', query.agent_id);
  if (query.role) add('role = ?', query.role);
  if (query.workflow_run_id) add('workflow_run_id = ?', query.workflow_run_id);
  if (query.cursor) {
    const c = decodeCursor(query.cursor)!;
    params.push(c.createdAt, c.taskId);
    where.push(`(created_at, task_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  const limit = query.limit ?? 50;
  params.push(limit + 1);
  const rows: TaskRow[] = await sql.query(
    `SELECT ${TASK_COLUMNS} FROM task_history ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, task_id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, limit).map(toView);
  const last = page[page.length - 1];
  return {
    tasks: page,
    next_cursor: rows.length > limit && last ? encodeCursor(last.created_at, last.task_id) : null,
  };
}
