import type { Sql } from '@app/persistence';
import { EventRow, FinishedRow } from '../sql';

export type CancelOutcome =
  | { kind: 'not_found' }
  | { kind: 'final'; status: string }
  | { kind: 'canceled'; events: EventRow[]; finished: FinishedRow; dispatched: boolean; timeoutSeconds: number }
  | { kind: 'requested'; events: EventRow[]; timeoutSeconds: number; already: boolean };

/**
 * Cancel under the row lock, in the caller's transaction: a task that has not started is canceled at
 * once; a running one is marked cancel-requested (the agent reports `canceled`). `withinChange` runs
 * before the commit of a change (not for a refusal), e.g. to write its audit row.
 */
export async function cancelIn(
  q: Sql,
  taskId: string,
  reason: string,
  withinChange?: (q: Sql) => Promise<void>,
): Promise<CancelOutcome & { changed: boolean }> {
  const rows = await q.query<{
    status: string;
    attempt: number;
    agent_id: string | null;
    dispatched_at: Date | null;
    cancel_requested_at: Date | null;
    timeout_seconds: number;
  }>(
    `SELECT status, attempt, agent_id, dispatched_at, cancel_requested_at, timeout_seconds FROM task_history WHERE task_id = $1 FOR UPDATE`,
    [taskId],
  );
  const row = rows[0];
  let outcome: CancelOutcome;
  if (!row) outcome = { kind: 'not_found' };
  else if (row.status === 'completed' || row.status === 'failed' || row.status === 'canceled')
    outcome = { kind: 'final', status: row.status };
  else if (row.status === 'pending') {
    const finished = await q.query<FinishedRow>(
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
    );
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
      : await q.query<EventRow>(
          `WITH u AS (UPDATE task_history SET cancel_requested_at = now(), updated_at = now() WHERE task_id = $1 RETURNING task_id, attempt, agent_id)
           INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail)
           SELECT task_id, attempt, 'cancel_requested', 'in_progress', agent_id, jsonb_build_object('reason', $2::text) FROM u
           RETURNING id::text AS id, task_id, attempt, type, status, agent_id, detail, created_at`,
          [taskId, reason],
        );
    outcome = { kind: 'requested', events, timeoutSeconds: row.timeout_seconds, already };
  }
  const changed = outcome.kind === 'canceled' || (outcome.kind === 'requested' && !outcome.already);
  if (changed && withinChange) await withinChange(q);
  return { ...outcome, changed };
}
