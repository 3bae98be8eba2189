import { TaskResultMessage } from '@app/contracts';
import type { Sql as Q } from './sql-connection';
import { CANDIDATE_COLUMNS, CandidateRow, EVENT_COLUMNS, EventRow, FinishedRow, toCandidate } from './task-rows';

/** The deadline sweeper's statements: overdue attempts claimed, timed out, failed; unstarted attempts re-sent. */
export interface OverdueRow extends ReturnType<typeof toCandidate> {
  current_attempt: number;
  deadline: string;
  /** False when the attempt never started (its start deadline passed). */
  started: boolean;
  /** True when it ran out of progress heartbeats before its execution timeout. */
  heartbeat_missed: boolean;
}

export async function claimOverdue(q: Q, limit: number): Promise<OverdueRow[]> {
  const rows = await q.query<CandidateRow & { deadline: Date; started_at: Date | null; heartbeat_missed: boolean }>(
    `SELECT ${CANDIDATE_COLUMNS}, deadline, started_at,
            COALESCE(deadline < started_at + make_interval(secs => timeout_seconds), false) AS heartbeat_missed FROM task_history
      WHERE status IN ('pending', 'in_progress') AND dispatched_at IS NOT NULL AND deadline < now()
      ORDER BY deadline
      LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
    'ea_claim_overdue',
  );
  return rows.map((r) => ({
    ...toCandidate(r),
    current_attempt: r.attempt,
    deadline: new Date(r.deadline).toISOString(),
    started: r.started_at !== null,
    heartbeat_missed: r.heartbeat_missed,
  }));
}

/** The overdue attempts are over: attempt rows and an event each; the task is back to waiting for dispatch. */
export async function timeOutAttempts(
  q: Q,
  items: { task_id: string; attempt: number; agent_id: string | null; requeue: boolean }[],
): Promise<EventRow[]> {
  if (items.length === 0) return [];
  return q.query(
    `WITH v AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(task_id uuid, attempt int, agent_id text, requeue boolean)
     ), a AS (
       UPDATE task_attempts ta SET status = 'timed_out', completed_at = now(), error = 'deadline exceeded'
         FROM v WHERE ta.task_id = v.task_id AND ta.attempt = v.attempt AND ta.status IN ('dispatched', 'in_progress')
     ), u AS (
       UPDATE task_history t SET status = 'pending', dispatched_at = NULL, deadline = NULL, started_at = NULL, updated_at = now()
         FROM v WHERE t.task_id = v.task_id AND t.attempt = v.attempt AND v.requeue
     ), e AS (
       INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail)
       SELECT v.task_id, v.attempt, 'timed_out', CASE WHEN v.requeue THEN 'pending' ELSE t.status END, v.agent_id,
              jsonb_build_object('reason', 'deadline exceeded')
         FROM v JOIN task_history t ON t.task_id = v.task_id
       RETURNING *
     )
     SELECT ${EVENT_COLUMNS} FROM e`,
    [JSON.stringify(items)],
    'ea_time_out_attempts',
  );
}

/** Final failure of tasks (attempts exhausted, ...), each with its reason. */
export async function markFailed(
  q: Q,
  items: { task_id: string; attempt: number; error: string }[],
): Promise<FinishedRow[]> {
  if (items.length === 0) return [];
  return q.query<FinishedRow>(
    `WITH v AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(task_id uuid, attempt int, error text)
     ), u AS (
       UPDATE task_history t SET status = 'failed', error = v.error, completed_at = now(), updated_at = now()
         FROM v WHERE t.task_id = v.task_id AND t.attempt = v.attempt AND t.status IN ('pending', 'in_progress')
       RETURNING t.task_id, t.attempt, t.agent_id, v.error, t.created_at AS task_created_at, t.workflow_run_id
     ), e AS (
       INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail)
       SELECT task_id, attempt, 'failed', 'failed', agent_id, jsonb_build_object('error', error) FROM u
       RETURNING *
     )
     SELECT ${EVENT_COLUMNS}, u.task_created_at, u.workflow_run_id FROM e JOIN u ON u.task_id = e.task_id`,
    [JSON.stringify(items)],
    'ea_mark_failed',
  );
}

/**
 * An agent host that gave up at the deadline reports `failed: deadline_exceeded`. That is the
 * deadline the sweeper enforces, so only the attempt row records it; the sweeper re-dispatches
 * or fails the task with the reason (and writes the event) as for any overdue attempt.
 */
export function isDeadlineMiss(m: TaskResultMessage): boolean {
  return m.status === 'failed' && typeof m.error === 'string' && m.error.startsWith('deadline_exceeded');
}

/** Attempts recorded as dispatched that no agent has started and whose deadline is ahead (re-sent after a restart). */
export async function unstartedAttempts(
  q: Q,
  limit: number,
): Promise<(ReturnType<typeof toCandidate> & { current_attempt: number; deadline: string })[]> {
  const rows = await q.query<CandidateRow & { deadline: Date }>(
    `SELECT ${CANDIDATE_COLUMNS}, deadline FROM task_history
      WHERE status = 'pending' AND dispatched_at IS NOT NULL AND deadline > now()
      ORDER BY deadline
      LIMIT $1`,
    [limit],
    'ea_unstarted_attempts',
  );
  return rows.map((r) => ({
    ...toCandidate(r),
    current_attempt: r.attempt,
    deadline: new Date(r.deadline).toISOString(),
  }));
}
