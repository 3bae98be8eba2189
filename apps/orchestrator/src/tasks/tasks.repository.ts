import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { traceIdOf } from '@app/observability';
import { inTransaction } from '@app/persistence';
import { EventRow, FinishedRow, toEventView } from './sql';
import { TaskEventView } from './task.types';
import { ListTasksQuery } from './dto/list-tasks.query';

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

export type CancelOutcome =
  | { kind: 'not_found' }
  | { kind: 'final'; status: string }
  | { kind: 'canceled'; events: EventRow[]; finished: FinishedRow; dispatched: boolean; timeoutSeconds: number }
  | { kind: 'requested'; events: EventRow[]; timeoutSeconds: number; already: boolean };

/** Reads of task history, and the cancel transaction. */
@Injectable()
export class TasksRepository {
  constructor(private readonly dataSource: DataSource) {}

  async get(taskId: string): Promise<TaskView | undefined> {
    const rows: TaskRow[] = await this.dataSource.query(`SELECT ${TASK_COLUMNS} FROM task_history WHERE task_id = $1`, [
      taskId,
    ]);
    return rows[0] ? toView(rows[0]) : undefined;
  }

  /** Records that the attempt's model call waits for the shared model limits; nothing once the attempt is over. */
  async waitingForModel(m: {
    task_id: string;
    attempt: number;
    agent_id: string;
    wait_ms: number;
  }): Promise<EventRow[]> {
    return this.dataSource.query(
      `INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail)
       SELECT task_id, attempt, 'waiting_for_model', status, $3, jsonb_build_object('wait_ms', $4::int)
         FROM task_history WHERE task_id = $1 AND attempt = $2 AND status IN ('pending', 'in_progress')
       RETURNING id::text AS id, task_id, attempt, type, status, agent_id, detail, created_at`,
      [m.task_id, m.attempt, m.agent_id, m.wait_ms],
    );
  }

  /** A status update a remote A2A agent streamed for the running attempt (docs/decisions/0102). */
  async remoteStatus(m: {
    task_id: string;
    attempt: number;
    agent_id: string;
    state: string;
    remote_task_id: string | null;
    message: string | null;
  }): Promise<EventRow[]> {
    return this.dataSource.query(
      `INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail)
       SELECT task_id, attempt, 'remote_status', status, $3,
              jsonb_build_object('state', $4::text, 'remote_task_id', $5::text, 'message', $6::text)
         FROM task_history WHERE task_id = $1 AND attempt = $2 AND status = 'in_progress'
       RETURNING id::text AS id, task_id, attempt, type, status, agent_id, detail, created_at`,
      [m.task_id, m.attempt, m.agent_id, m.state, m.remote_task_id, m.message],
    );
  }

  /**
   * The agent of a running attempt is gone (a remote agent stopped answering): its deadline is now,
   * so the next sweep times it out and re-dispatches it under the usual rules (max_attempts).
   */
  async expireAttempt(taskId: string, attempt: number, agentId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH t AS (
         UPDATE task_history SET deadline = now()
          WHERE task_id = $1 AND attempt = $2 AND agent_id = $3 AND status IN ('pending', 'in_progress')
            AND dispatched_at IS NOT NULL
          RETURNING task_id, attempt
       )
       UPDATE task_attempts a SET deadline = now() FROM t WHERE a.task_id = t.task_id AND a.attempt = t.attempt
       RETURNING a.task_id`,
      [taskId, attempt, agentId],
    );
    return rows.length > 0;
  }

  async attempts(taskId: string): Promise<AttemptView[]> {
    const rows: (Omit<AttemptView, 'dispatched_at' | 'deadline' | 'started_at' | 'completed_at'> &
      Record<'dispatched_at' | 'deadline', Date> &
      Record<'started_at' | 'completed_at', Date | null>)[] = await this.dataSource.query(
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

  /** Moves a running attempt's deadline to now + its heartbeat timeout, capped by its execution timeout. */
  async heartbeat(taskId: string, attempt: number, agentId: string): Promise<void> {
    await this.dataSource.query(
      `WITH t AS (
         UPDATE task_history
            SET deadline = LEAST(started_at + make_interval(secs => timeout_seconds), now() + make_interval(secs => heartbeat_timeout_seconds))
          WHERE task_id = $1 AND attempt = $2 AND agent_id = $3 AND status = 'in_progress' AND heartbeat_timeout_seconds IS NOT NULL
          RETURNING task_id, attempt, deadline
       )
       UPDATE task_attempts a SET deadline = t.deadline FROM t WHERE a.task_id = t.task_id AND a.attempt = t.attempt`,
      [taskId, attempt, agentId],
    );
  }

  async events(taskId: string, afterId = '0'): Promise<TaskEventView[]> {
    const rows: EventRow[] = await this.dataSource.query(
      // Ordered by the bigint column: the output column `id` is text, and text order puts 10 before 9.
      `SELECT e.id::text AS id, e.task_id, e.attempt, e.type, e.status, e.agent_id, e.detail, e.created_at
         FROM task_events e WHERE e.task_id = $1 AND e.id > $2::bigint ORDER BY e.id`,
      [taskId, afterId],
    );
    return rows.map(toEventView);
  }

  async list(query: ListTasksQuery): Promise<{ tasks: TaskView[]; next_cursor: string | null }> {
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
    const rows: TaskRow[] = await this.dataSource.query(
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

  /**
   * Cancel in one transaction under the row lock: a task that has not started is canceled at
   * once; a running one is marked cancel-requested (the agent reports `canceled`).
   * `withinChange` runs before the commit of a change (not for a refusal), e.g. to write its audit row. With
   * `runner`, it works inside the caller's transaction; without, in one of its own.
   */
  cancel(
    taskId: string,
    reason: string,
    runner?: QueryRunner,
    withinChange?: (q: QueryRunner) => Promise<void>,
  ): Promise<CancelOutcome & { changed: boolean }> {
    if (runner) return this.cancelWithin(runner, taskId, reason, withinChange);
    return inTransaction(this.dataSource, (q) => this.cancelWithin(q, taskId, reason, withinChange));
  }

  private async cancelWithin(
    q: QueryRunner,
    taskId: string,
    reason: string,
    withinChange?: (q: QueryRunner) => Promise<void>,
  ): Promise<CancelOutcome & { changed: boolean }> {
    const rows = (await q.query(
      `SELECT status, attempt, agent_id, dispatched_at, cancel_requested_at, timeout_seconds FROM task_history WHERE task_id = $1 FOR UPDATE`,
      [taskId],
    )) as {
      status: string;
      attempt: number;
      agent_id: string | null;
      dispatched_at: Date | null;
      cancel_requested_at: Date | null;
      timeout_seconds: number;
    }[];
    const row = rows[0];
    let outcome: CancelOutcome;
    if (!row) outcome = { kind: 'not_found' };
    else if (row.status === 'completed' || row.status === 'failed' || row.status === 'canceled')
      outcome = { kind: 'final', status: row.status };
    else if (row.status === 'pending') {
      const finished = (await q.query(
        `WITH u AS (
           UPDATE task_history SET status = 'canceled', error = $2, completed_at = now(), updated_at = now(), cancel_requested_at = now()
            WHERE task_id = $1 RETURNING task_id, attempt, agent_id, created_at AS task_created_at, workflow_run_id
         ), a AS (
           UPDATE task_attempts ta SET status = 'canceled', completed_at = now(), error = $2
             FROM u WHERE ta.task_id = u.task_id AND ta.attempt = u.attempt AND ta.status = 'dispatched'
         ), e AS (
           INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail)
           SELECT task_id, attempt, 'canceled', 'canceled', agent_id, jsonb_build_object('reason', $2::text) FROM u RETURNING *
         )
         SELECT e.id::text AS id, e.task_id, e.attempt, e.type, e.status, e.agent_id, e.detail, e.created_at, u.task_created_at, u.workflow_run_id
           FROM e JOIN u ON u.task_id = e.task_id`,
        [taskId, reason],
      )) as FinishedRow[];
      outcome = {
        kind: 'canceled',
        events: finished,
        finished: finished[0],
        dispatched: row.dispatched_at !== null,
        timeoutSeconds: row.timeout_seconds,
      };
    } else {
      const already = row.cancel_requested_at !== null;
      const events: EventRow[] = already
        ? []
        : ((await q.query(
            `WITH u AS (UPDATE task_history SET cancel_requested_at = now(), updated_at = now() WHERE task_id = $1 RETURNING task_id, attempt, agent_id)
             INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail)
             SELECT task_id, attempt, 'cancel_requested', 'in_progress', agent_id, jsonb_build_object('reason', $2::text) FROM u
             RETURNING id::text AS id, task_id, attempt, type, status, agent_id, detail, created_at`,
            [taskId, reason],
          )) as EventRow[]);
      outcome = { kind: 'requested', events, timeoutSeconds: row.timeout_seconds, already };
    }
    const changed = outcome.kind === 'canceled' || (outcome.kind === 'requested' && !outcome.already);
    if (changed && withinChange) await withinChange(q);
    return { ...outcome, changed };
  }
}
