import { TaskResultMessage, TaskStartedMessage } from '@app/contracts';
import { AcceptedTask, DispatchItem } from '../task.types';
import type { Sql as Q } from './sql-connection';
import { EventRow, FinishedRow, StartedRow } from './task-rows';

export interface FlushParts {
  inserts: AcceptedTask[];
  idempotencyKeys: string[];
  dispatches: DispatchItem[];
  starts: TaskStartedMessage[];
  /** Starts whose result is in the same flush: recorded without a second update of the row. */
  pairedStarts: TaskStartedMessage[];
  results: TaskResultMessage[];
  deadlineMisses: TaskResultMessage[];
}

export interface FlushRows {
  events: EventRow[];
  inserted: Set<string>;
  idempotent: Map<string, { task_id: string; status: string }>;
  started: StartedRow[];
  finished: FinishedRow[];
}

/**
 * A row-state condition the planner can neither use an index for nor prove a partial index's
 * predicate from, so a batch finds its rows by primary key only. Without it PostgreSQL ANDs the
 * key lookup with idx_task_deadline / idx_task_status, whose entries for in-flight tasks are few
 * when analysed but pile up as dead entries under churn (thousands scanned per commit, measured).
 */
function byKeyOnly(condition: string): string {
  return `(CASE WHEN ${condition} THEN true ELSE false END)`;
}

/**
 * A whole group commit as ONE statement (its own transaction): on a busy machine every round
 * trip costs milliseconds, and a prepared statement is not planned again. Each part changes only
 * rows still in the expected state; the rows of one task never meet in two parts except a start
 * and its result, which are recorded as one change of the row. Event ids follow causal order.
 */
export async function flush(q: Q, p: FlushParts, planGeneration = 0): Promise<FlushRows> {
  const results = p.results.map((m) => ({
    task_id: m.task_id,
    attempt: m.attempt,
    agent_id: m.agent_id,
    status: m.status,
    result: m.result ?? null,
    error: m.error ?? null,
    started_at: m.started_at,
    completed_at: m.completed_at,
    model: m.model ?? null,
    input_tokens: m.usage?.input_tokens ?? null,
    output_tokens: m.usage?.output_tokens ?? null,
    cached_input_tokens: m.usage?.cached_input_tokens ?? null,
    cost_usd: m.cost_usd ?? null,
  }));
  const misses = p.deadlineMisses.map((m) => ({
    task_id: m.task_id,
    attempt: m.attempt,
    error: m.error ?? 'deadline exceeded',
    started_at: m.started_at,
    completed_at: m.completed_at,
  }));
  const rows = await q.query<{ kind: 'event' | 'idem' | 'started' | 'finished'; row: Record<string, unknown> }>(
    `WITH
     ins_v AS (
       SELECT x.*, a.agent_id AS routed_to FROM jsonb_to_recordset($1::jsonb) AS x(
         task_id uuid, title text, description text, input jsonb, requested_agent_id text, role text, capability text,
         min_proficiency int, priority int, timeout_seconds int, max_attempts int, queue_timeout_seconds int,
         heartbeat_timeout_seconds int, idempotency_key text, workflow_run_id uuid, step_key text, created_at timestamptz,
         route_agent_id text, route_deadline timestamptz, created_by text, traceparent text, budget jsonb, audit jsonb)
       -- A task routed at acceptance is written as dispatched (attempt 1), if its agent still exists.
       LEFT JOIN agent_registry a ON a.agent_id = x.route_agent_id
     ), ins AS (
       INSERT INTO task_history (task_id, task_title, task_description, input, requested_agent_id, role, capability, min_proficiency,
         priority, timeout_seconds, max_attempts, queue_timeout_seconds, heartbeat_timeout_seconds, queue_deadline, idempotency_key,
         workflow_run_id, step_key, status, created_at, updated_at, attempt, agent_id, deadline, dispatched_at, created_by,
         traceparent, budget)
       SELECT task_id, title, description, input, requested_agent_id, role, capability, min_proficiency,
         priority, timeout_seconds, max_attempts, queue_timeout_seconds, heartbeat_timeout_seconds,
         created_at + make_interval(secs => queue_timeout_seconds),
         idempotency_key, workflow_run_id, step_key, 'pending', created_at, created_at,
         CASE WHEN routed_to IS NULL THEN 0 ELSE 1 END, routed_to,
         CASE WHEN routed_to IS NULL THEN NULL ELSE route_deadline END, CASE WHEN routed_to IS NULL THEN NULL ELSE created_at END,
         created_by, traceparent, budget
         FROM ins_v
       ON CONFLICT DO NOTHING
       RETURNING task_id, created_at, attempt, agent_id, deadline
     ), ins_a AS (
       INSERT INTO task_attempts (task_id, attempt, agent_id, status, dispatched_at, deadline)
       SELECT task_id, 1, agent_id, 'dispatched', created_at, deadline FROM ins WHERE attempt = 1
     ), ins_audit AS (
       -- The submission's audit row commits with the task it records (only for tasks this statement wrote).
       INSERT INTO audit_events (service, actor, actor_kind, action, resource, request_id, outcome, status_code)
       SELECT v.audit->>'service', v.audit->>'actor', v.audit->>'actor_kind', v.audit->>'action', 'task:' || ins.task_id,
              v.audit->>'request_id', 'success', (v.audit->>'status_code')::int
         FROM ins JOIN ins_v v ON v.task_id = ins.task_id WHERE v.audit IS NOT NULL
     ), idem AS (
       -- cardinality() is a one-time filter: a batch without keys does not look at all.
       SELECT task_id, status, idempotency_key FROM task_history WHERE cardinality($2::text[]) > 0 AND idempotency_key = ANY($2::text[])
     ), d_v AS (
       SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(task_id uuid, attempt int, agent_id text, deadline timestamptz, at timestamptz, reason text)
     ), d AS (
       UPDATE task_history t
          SET attempt = d_v.attempt, agent_id = d_v.agent_id, deadline = d_v.deadline, dispatched_at = d_v.at,
              status = 'pending', started_at = NULL, updated_at = d_v.at
         FROM d_v
        WHERE t.task_id = ANY($4::uuid[]) AND t.task_id = d_v.task_id AND t.attempt = d_v.attempt - 1
          AND ${byKeyOnly(`t.status IN ('pending', 'in_progress')`)}
          AND EXISTS (SELECT 1 FROM agent_registry a WHERE a.agent_id = d_v.agent_id)
       RETURNING t.task_id, d_v.attempt, d_v.agent_id, d_v.deadline, d_v.at, d_v.reason
     ), d_a AS (
       INSERT INTO task_attempts (task_id, attempt, agent_id, status, dispatched_at, deadline)
       SELECT task_id, attempt, agent_id, 'dispatched', at, deadline FROM d
       ON CONFLICT DO NOTHING
     ), s_v AS (
       SELECT DISTINCT ON (task_id, attempt) * FROM jsonb_to_recordset($5::jsonb) AS x(task_id uuid, attempt int, agent_id text, started_at timestamptz)
     ), s AS (
       -- The execution timeout counts from this attempt's own start (docs/decisions/0081).
       UPDATE task_history t SET status = 'in_progress', started_at = s_v.started_at, updated_at = now(),
              -- With a progress heartbeat, the first beat is due within the heartbeat timeout.
              deadline = s_v.started_at + make_interval(secs => LEAST(t.timeout_seconds, COALESCE(t.heartbeat_timeout_seconds, t.timeout_seconds)))
         FROM s_v
        WHERE t.task_id = ANY($6::uuid[]) AND t.task_id = s_v.task_id AND t.attempt = s_v.attempt AND t.agent_id = s_v.agent_id
          AND ${byKeyOnly(`t.status = 'pending' AND t.dispatched_at IS NOT NULL`)}
       RETURNING t.task_id, s_v.attempt, s_v.agent_id, t.created_at AS task_created_at, t.deadline AS started_deadline
     ), s_a AS (
       UPDATE task_attempts ta SET status = 'in_progress', started_at = s_v.started_at, deadline = s.started_deadline
         FROM s_v JOIN s ON s.task_id = s_v.task_id WHERE ta.task_id = ANY($6::uuid[]) AND ta.task_id = s_v.task_id AND ta.attempt = s_v.attempt AND ta.agent_id = s_v.agent_id AND ta.status = 'dispatched'
     ), p_v AS (
       SELECT DISTINCT ON (task_id, attempt) * FROM jsonb_to_recordset($7::jsonb) AS x(task_id uuid, attempt int, agent_id text, started_at timestamptz)
     ), p AS (
       SELECT t.task_id, p_v.attempt, p_v.agent_id, t.created_at AS task_created_at
         FROM task_history t JOIN p_v ON t.task_id = p_v.task_id AND t.attempt = p_v.attempt AND t.agent_id = p_v.agent_id
        WHERE t.task_id = ANY($8::uuid[]) AND ${byKeyOnly(`t.status = 'pending' AND t.dispatched_at IS NOT NULL`)}
        FOR UPDATE OF t
     ), f_v AS (
       SELECT DISTINCT ON (task_id, attempt) * FROM jsonb_to_recordset($9::jsonb) AS x(
         task_id uuid, attempt int, agent_id text, status text, result jsonb, error text,
         started_at timestamptz, completed_at timestamptz, model text, input_tokens int, output_tokens int,
         cached_input_tokens int, cost_usd numeric)
     ), f AS (
       UPDATE task_history t
          SET status = f_v.status, result = f_v.result, error = f_v.error, completed_at = f_v.completed_at,
              started_at = COALESCE(t.started_at, f_v.started_at), updated_at = now()
         FROM f_v
        WHERE t.task_id = ANY($10::uuid[]) AND t.task_id = f_v.task_id AND t.attempt = f_v.attempt AND t.agent_id = f_v.agent_id
          AND ${byKeyOnly(`t.status IN ('pending', 'in_progress') AND t.dispatched_at IS NOT NULL`)}
       RETURNING t.task_id, f_v.attempt, f_v.agent_id, f_v.status, f_v.error, t.created_at AS task_created_at, t.workflow_run_id
     ), f_a AS (
       UPDATE task_attempts ta
          SET status = f_v.status, started_at = COALESCE(ta.started_at, f_v.started_at), completed_at = f_v.completed_at,
              error = f_v.error, model = f_v.model, input_tokens = f_v.input_tokens, output_tokens = f_v.output_tokens,
              cached_input_tokens = f_v.cached_input_tokens, cost_usd = f_v.cost_usd
         FROM f_v WHERE ta.task_id = ANY($10::uuid[]) AND ta.task_id = f_v.task_id AND ta.attempt = f_v.attempt AND ta.agent_id = f_v.agent_id
           AND ta.status IN ('dispatched', 'in_progress')
     ), m_a AS (
       UPDATE task_attempts ta SET status = 'timed_out', completed_at = m.completed_at, error = m.error, started_at = COALESCE(ta.started_at, m.started_at)
         FROM jsonb_to_recordset($11::jsonb) AS m(task_id uuid, attempt int, error text, started_at timestamptz, completed_at timestamptz)
        WHERE ta.task_id = ANY($12::uuid[]) AND ta.task_id = m.task_id AND ta.attempt = m.attempt AND ta.status IN ('dispatched', 'in_progress')
     ), ev AS (
       INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail, created_at)
       SELECT task_id, attempt, type, status, agent_id, detail, at FROM (
         SELECT 1 AS k, task_id, 0 AS attempt, 'accepted' AS type, 'pending' AS status, NULL::text AS agent_id, NULL::jsonb AS detail, created_at AS at FROM ins
         UNION ALL
         SELECT 2, task_id, 1, 'dispatched', 'pending', agent_id, NULL, created_at FROM ins WHERE attempt = 1
         UNION ALL
         SELECT 2, task_id, attempt, 'dispatched', 'pending', agent_id, CASE WHEN reason IS NULL THEN NULL ELSE jsonb_build_object('reason', reason) END, at FROM d
         UNION ALL
         SELECT 3, task_id, attempt, 'started', 'in_progress', agent_id, NULL, now() FROM s
         UNION ALL
         SELECT 3, task_id, attempt, 'started', 'in_progress', agent_id, NULL, now() FROM p
         UNION ALL
         SELECT 4, task_id, attempt, status, status, agent_id, CASE WHEN error IS NULL THEN NULL ELSE jsonb_build_object('error', error) END, now() FROM f
       ) changes
       ORDER BY k
       RETURNING id::text AS id, task_id, attempt, type, status, agent_id, detail, created_at
     )
     SELECT 'event' AS kind, to_jsonb(ev) AS row FROM ev
     UNION ALL SELECT 'idem', to_jsonb(idem) FROM idem
     UNION ALL SELECT 'started', jsonb_build_object('task_id', task_id, 'task_created_at', task_created_at) FROM s
     UNION ALL SELECT 'started', jsonb_build_object('task_id', task_id, 'task_created_at', task_created_at) FROM p
     UNION ALL SELECT 'finished', jsonb_build_object('task_id', task_id, 'task_created_at', task_created_at, 'workflow_run_id', workflow_run_id) FROM f`,
    [
      JSON.stringify(
        p.inserts.map((t) => ({
          ...t,
          route_agent_id: t.route?.agent_id ?? null,
          route_deadline: t.route?.deadline ?? null,
        })),
      ),
      p.idempotencyKeys,
      JSON.stringify(p.dispatches),
      p.dispatches.map((d) => d.task_id),
      JSON.stringify(p.starts),
      p.starts.map((m) => m.task_id),
      JSON.stringify(p.pairedStarts),
      p.pairedStarts.map((m) => m.task_id),
      JSON.stringify(results),
      results.map((r) => r.task_id),
      JSON.stringify(misses),
      misses.map((m) => m.task_id),
    ],
    // A new name is a new prepared statement, planned for the tables as they are now (see GroupCommit).
    `ea_group_commit_${planGeneration}`,
  );
  const events: EventRow[] = [];
  const idempotent = new Map<string, { task_id: string; status: string }>();
  const startedExtra = new Map<string, Record<string, unknown>>();
  const finishedExtra = new Map<string, Record<string, unknown>>();
  for (const { kind, row } of rows) {
    if (kind === 'event') events.push(row as unknown as EventRow);
    else if (kind === 'idem')
      idempotent.set(row.idempotency_key as string, { task_id: row.task_id as string, status: row.status as string });
    else if (kind === 'started') startedExtra.set(row.task_id as string, row);
    else finishedExtra.set(row.task_id as string, row);
  }
  events.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const inserted = new Set(events.filter((e) => e.type === 'accepted').map((e) => e.task_id));
  const started = events
    .filter((e) => e.type === 'started' && startedExtra.has(e.task_id))
    .map((e) => ({ ...e, task_created_at: new Date(startedExtra.get(e.task_id)!.task_created_at as string) }));
  const finished = events
    .filter(
      (e) => e.type !== 'accepted' && e.type !== 'dispatched' && e.type !== 'started' && finishedExtra.has(e.task_id),
    )
    .map((e) => ({
      ...e,
      task_created_at: new Date(finishedExtra.get(e.task_id)!.task_created_at as string),
      workflow_run_id: (finishedExtra.get(e.task_id)!.workflow_run_id as string | null) ?? null,
    }));
  return { events, inserted, idempotent, started, finished };
}
