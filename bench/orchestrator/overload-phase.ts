/**
 * The overload phase of the orchestrator benchmark (issue 11): more tasks offered than the agents'
 * slots can take. Slow no-op agents (BENCH_SLOW_AGENTS, BENCH_SLOW_SLOTS slots each, BENCH_SLOW_MS per
 * task) serve one role; tasks are offered at BENCH_OVERLOAD_FACTOR x their capacity. With
 * capacity-aware dispatch the excess waits `pending` in PostgreSQL: nothing fails, no agent ever
 * holds more than its slots, and queue wait and completion are bounded by the backlog, which the
 * figures show (p99 queue wait ~ offered excess / capacity).
 */
import { DataSource } from 'typeorm';
import { paced } from '../support/paced-load';
import { percentile } from '../support/stats';

export const SLOW_AGENTS = ['BEN-101', 'BEN-102'];
export const SLOW_ROLE = 'data_engineer';
export const SLOW_SLOTS = Number(process.env.BENCH_SLOW_SLOTS ?? 4);
export const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 50);
const FACTOR = Number(process.env.BENCH_OVERLOAD_FACTOR ?? 2);
const TITLE = 'overload';

export interface OverloadFigures {
  capacity_per_sec: number;
  offered_per_sec: number;
  accepted: number;
  http_errors: number;
  completed: number;
  failed: number;
  other: number;
  /** Attempts recorded per completed task (1.00: nothing was sent twice). */
  attempts_per_completed: number;
  /** Largest number of one agent's attempts between dispatch and result at one instant (≤ BENCH_SLOW_SLOTS). */
  max_concurrent_per_agent: number;
  queue_wait_p50_ms: number;
  queue_wait_p99_ms: number;
  completion_p50_ms: number;
  completion_p99_ms: number;
  drain_seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function overloadPhase(
  ds: DataSource,
  baseUrl: string,
  seconds: number,
  log: (m: string) => void,
): Promise<OverloadFigures> {
  const capacity = Math.round((SLOW_AGENTS.length * SLOW_SLOTS * 1000) / SLOW_MS);
  const rate = Math.round(capacity * FACTOR);
  log(`overload: ${rate} tasks/s offered for ${seconds}s to ${SLOW_AGENTS.length} agents that take ${capacity}/s`);
  const started = Date.now();
  const offered = await paced({
    base: baseUrl,
    rate,
    seconds,
    method: 'POST',
    path: () => '/api/tasks',
    body: () => ({ title: TITLE, role: SLOW_ROLE, timeout_seconds: 120 }),
    maxSockets: 128,
  });
  const until = Date.now() + 10 * seconds * 1000 + 60_000;
  for (;;) {
    const [row] = await ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM task_history WHERE task_title = $1 AND status IN ('pending', 'in_progress')`,
      [TITLE],
    );
    if (row.n === 0) break;
    if (Date.now() > until) throw new Error(`${row.n} overload tasks still unfinished`);
    log(`  overload: ${row.n} tasks waiting or running`);
    await sleep(1000);
  }
  const drainSeconds = Math.round((Date.now() - started) / 100) / 10;
  const rows = await ds.query<{ status: string; wait_ms: string | null; total_ms: string; attempt: number }[]>(
    `SELECT status, extract(epoch FROM (started_at - created_at)) * 1000 AS wait_ms,
            extract(epoch FROM (updated_at - created_at)) * 1000 AS total_ms, attempt
       FROM task_history WHERE task_title = $1`,
    [TITLE],
  );
  const completed = rows.filter((r) => r.status === 'completed');
  const waits = completed.map((r) => Number(r.wait_ms)).sort((a, b) => a - b);
  const totals = completed.map((r) => Number(r.total_ms)).sort((a, b) => a - b);
  const [overlap] = await ds.query<{ n: number }[]>(
    `WITH spans AS (
       SELECT a.agent_id, a.dispatched_at AS t, 1 AS d FROM task_attempts a JOIN task_history h USING (task_id) WHERE h.task_title = $1
       UNION ALL
       SELECT a.agent_id, a.completed_at, -1 FROM task_attempts a JOIN task_history h USING (task_id) WHERE h.task_title = $1 AND a.completed_at IS NOT NULL
     ), running AS (
       SELECT agent_id, sum(d) OVER (PARTITION BY agent_id ORDER BY t, d) AS open FROM spans
     )
     SELECT COALESCE(max(open), 0)::int AS n FROM running`,
    [TITLE],
  );
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    capacity_per_sec: capacity,
    offered_per_sec: rate,
    accepted: offered.ok,
    http_errors: offered.failed,
    completed: completed.length,
    failed: rows.filter((r) => r.status === 'failed').length,
    other: rows.length - completed.length - rows.filter((r) => r.status === 'failed').length,
    attempts_per_completed:
      Math.round((completed.reduce((n, r) => n + r.attempt, 0) / Math.max(1, completed.length)) * 100) / 100,
    max_concurrent_per_agent: overlap.n,
    queue_wait_p50_ms: round(percentile(waits, 50)),
    queue_wait_p99_ms: round(percentile(waits, 99)),
    completion_p50_ms: round(percentile(totals, 50)),
    completion_p99_ms: round(percentile(totals, 99)),
    drain_seconds: drainSeconds,
  };
}
