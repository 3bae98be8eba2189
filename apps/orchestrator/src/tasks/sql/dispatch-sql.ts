import type { Sql } from './sql-connection';
import { CANDIDATE_COLUMNS, CandidateRow, toCandidate } from './task-rows';

/** routeKey() of routing.service.ts in SQL: tasks with the same key wait for the same agents. */
const ROUTE_KEY_SQL = `CASE WHEN requested_agent_id IS NOT NULL THEN 'agent:' || requested_agent_id
  WHEN capability IS NOT NULL THEN 'cap:' || capability || ':' || COALESCE(min_proficiency, 1) || ':' || COALESCE(role, '')
  ELSE 'role:' || COALESCE(role, '') END`;

export type WaitingTask = ReturnType<typeof toCandidate> & { priority: number; route_failures: number };

/** Where the previous batch of a scan ended (priority DESC, created_at, task_id). */
export interface ScanCursor {
  priority: number;
  created_at: string;
  task_id: string;
}

/**
 * Locks the next batch of undispatched tasks in dispatch order (priority, then FIFO), after the
 * cursor, leaving out tasks in routing backoff, tasks of routes already found full in this scan,
 * and tasks younger than minAgeMs (the accepting process is still sending those).
 */
export async function claimWaiting(
  q: Sql,
  limit: number,
  minAgeMs: number,
  skipRoutes: string[],
  after: ScanCursor | null,
): Promise<WaitingTask[]> {
  const rows = await q.query<CandidateRow & { priority: number; route_failures: number }>(
    `SELECT ${CANDIDATE_COLUMNS}, priority, route_failures FROM task_history
      WHERE status = 'pending' AND dispatched_at IS NULL
        AND updated_at < now() - make_interval(secs => $2::double precision / 1000)
        AND (next_route_at IS NULL OR next_route_at <= now())
        AND (cardinality($3::text[]) = 0 OR NOT (${ROUTE_KEY_SQL}) = ANY($3::text[]))
        AND ($4::int IS NULL OR priority < $4::int OR (priority = $4::int AND (created_at, task_id) > ($5::timestamptz, $6::uuid)))
      ORDER BY priority DESC, created_at, task_id
      LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit, minAgeMs, skipRoutes, after?.priority ?? null, after?.created_at ?? null, after?.task_id ?? null],
    'ea_claim_waiting',
  );
  return rows.map((r) => ({ ...toCandidate(r), priority: r.priority, route_failures: r.route_failures }));
}

/** Tasks nobody can serve now step aside for a while, doubling up to maxMs, so they never block the scan. */
export async function backOffRouting(q: Sql, taskIds: string[], maxMs: number): Promise<void> {
  if (taskIds.length === 0) return;
  await q.query(
    `UPDATE task_history SET route_failures = route_failures + 1,
            next_route_at = now() + make_interval(secs => LEAST($2::double precision / 1000, 0.25 * power(2, LEAST(route_failures, 20))))
      WHERE task_id = ANY($1::uuid[])`,
    [taskIds, maxMs],
    'ea_back_off_routing',
  );
}

export interface QueueExpiredRow {
  task_id: string;
  attempt: number;
  agent_id: string | null;
  dispatched: boolean;
  queue_timeout_seconds: number;
  route_failures: number;
  role: string | null;
  capability: string | null;
  requested_agent_id: string | null;
}

/** Tasks whose queue timeout passed before any attempt started (locked for this transaction). */
export async function claimQueueExpired(q: Sql, limit: number): Promise<QueueExpiredRow[]> {
  return q.query<QueueExpiredRow>(
    `SELECT task_id, attempt, agent_id, dispatched_at IS NOT NULL AS dispatched, queue_timeout_seconds, route_failures,
            role, capability, requested_agent_id
       FROM task_history
      WHERE status = 'pending' AND queue_deadline IS NOT NULL AND queue_deadline < now()
      ORDER BY queue_deadline
      LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
    'ea_claim_queue_expired',
  );
}

/** Why a task expired in the queue, for its error. */
export function queueTimeoutReason(r: QueueExpiredRow): string {
  const target = r.requested_agent_id
    ? `agent ${r.requested_agent_id}`
    : [r.role && `role ${r.role}`, r.capability && `capability ${r.capability}`].filter(Boolean).join(', ');
  const why = r.dispatched
    ? `attempt ${r.attempt} on ${r.agent_id} never started`
    : r.route_failures > 0
      ? `no agent online for ${target}`
      : `every agent for ${target} was busy`;
  return `queue timeout: not started within ${r.queue_timeout_seconds} s of acceptance (${why})`;
}
