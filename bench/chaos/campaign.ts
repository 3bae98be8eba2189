import { Client } from 'pg';
import { ChaosOptions, FaultKind } from './chaos-options';
import { ChaosProcess } from './chaos-process';
import { ChaosSystem } from './chaos-system';

export interface ChaosReport {
  options: ChaosOptions;
  accepted: number;
  /** Submissions never accepted (no orchestrator answered within the settle time). */
  notAccepted: number;
  completed: number;
  failed: number;
  canceled: number;
  /** Accepted but still not final when the settle time ended. */
  unfinished: number;
  /** Accepted (a task id was returned) but no row in PostgreSQL. */
  lost: number;
  /** Idempotency keys with more than one task, or answered with two different task ids. */
  duplicates: number;
  /** Scripted model calls (SCRIPTED_CALL_LOG of every host). */
  modelCalls: number;
  /** Task executions (a task attempt run by one process; its repair calls are part of it). */
  executions: number;
  /** Executions per completed task (all tasks, workflow steps included). */
  executionsPerCompletedTask: number;
  /** Re-executions after a host that had run the task was SIGKILLed (allowed by the issue). */
  reexecutionsAfterHostDeath: number;
  /** The longest time such a killed execution had been running (ms): a long one would hide finished work re-run. */
  longestCutMs: number;
  /** Executions per completed task without those: 1.00 is the goal. */
  executionsPerCompletedTaskNoDeaths: number;
  /** Re-executions no host death explains (must be 0), and a few of their task ids. */
  unexplainedReexecutions: number;
  unexplainedTasks: string[];
  /** For the first few of those: the task's events and model calls, to see what made it run twice. */
  unexplainedEvidence: UnexplainedEvidence[];
  /** Stream entries hosts acknowledged without running: copies of an already claimed attempt (decision 0082). */
  copiesSkipped: number;
  workflowRunsStarted: number;
  workflowRunsCompleted: number;
  unexpectedExits: string[];
  faults: Array<{ kind: FaultKind; at_s: number }>;
  /** A fault the campaign could not carry out (e.g. Redis did not come back): the run does not count as clean. */
  faultErrors: string[];
  failureReasons: Record<string, number>;
  seconds: number;
}

export interface UnexplainedEvidence {
  task_id: string;
  /** `<ms since start> <app>(<pid>) attempt <n>` per model call. */
  calls: string[];
  /** `<ms since start> <type> attempt <n> <agent> <status> <detail>` per task event. */
  events: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function postJson(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: r.status, body: (await r.json().catch(() => ({}))) as Record<string, unknown> };
}

/** Runs the load, the fault schedule and the settle phase against a started system; then counts from PostgreSQL. */
export async function runCampaign(
  system: ChaosSystem,
  o: ChaosOptions,
  log: (line: string) => void,
): Promise<ChaosReport> {
  const started = Date.now();
  const headers = system.credentials?.headers ?? {};
  const runId = started.toString(36);
  const answers = new Map<string, Set<string>>();
  let notAccepted = 0;
  const acceptDeadline = () => Date.now() > loadEnd + o.settleSeconds * 1000;
  const loadMs = (o.tasks / o.rate) * 1000;
  const loadEnd = started + loadMs;

  const submit = async (i: number): Promise<void> => {
    const key = `chaos-${runId}-${i}`;
    const body = { title: `chaos task ${i}`, role: system.roles[i % system.roles.length], idempotency_key: key };
    for (let tries = 0; !acceptDeadline(); tries++) {
      const orchestrator = system.orchestrators[(i + tries) % system.orchestrators.length];
      const r = await postJson(orchestrator.baseUrl, '/api/tasks', body, headers).catch(() => undefined);
      if (r && (r.status === 200 || r.status === 202) && typeof r.body.task_id === 'string') {
        const ids = answers.get(key) ?? new Set<string>();
        ids.add(r.body.task_id);
        answers.set(key, ids);
        // Ask once more at another orchestrator now and then: the same key must give the same task.
        if (i % 25 === 0 && tries === 0) continue;
        return;
      }
      await sleep(500);
    }
    notAccepted += 1;
  };

  const runs: string[] = [];
  const startRun = async (n: number): Promise<void> => {
    const input = { topics: [`Cardiology: chaos topic ${n}`] };
    for (let tries = 0; !acceptDeadline(); tries++) {
      const orchestrator = system.orchestrators[(n + tries) % system.orchestrators.length];
      const r = await postJson(orchestrator.baseUrl, '/api/workflows/mcq_generation/runs', { input }, headers).catch(
        () => undefined,
      );
      if (r?.status === 202 && typeof r.body.run_id === 'string') return void runs.push(r.body.run_id);
      await sleep(500);
    }
  };

  const faults: ChaosReport['faults'] = [];
  const faultErrors: string[] = [];
  const faultRuns = o.faults.map(async (kind, k) => {
    await sleep((loadMs * (k + 1)) / (o.faults.length + 1));
    faults.push({ kind, at_s: Math.round((Date.now() - started) / 100) / 10 });
    log(`fault ${k + 1}/${o.faults.length}: ${kind}`);
    await inject(system, kind, o).catch((error: unknown) => {
      faultErrors.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
      log(`fault ${kind} failed: ${faultErrors[faultErrors.length - 1]}`);
    });
  });

  const pending: Promise<void>[] = [];
  let runsLaunched = 0;
  for (let i = 0; i < o.tasks; i++) {
    const due = started + (i * 1000) / o.rate;
    if (due > Date.now()) await sleep(due - Date.now());
    pending.push(submit(i));
    if (runsLaunched < o.workflowRuns && i % Math.max(1, Math.floor(o.tasks / o.workflowRuns)) === 0)
      pending.push(startRun(runsLaunched++));
  }
  await Promise.all([...pending, ...faultRuns]);
  log(`load done: ${answers.size} accepted, ${runs.length} workflow runs started; settling`);

  const db = new Client({ connectionString: system.databaseUrl });
  db.on('error', () => undefined);
  await db.connect();
  try {
    const settleEnd = Date.now() + o.settleSeconds * 1000;
    type Row = { task_id: string; status: string; idempotency_key: string; error: string | null };
    let rows: Row[] = [];
    let runRows: Array<{ run_id: string; status: string }> = [];
    for (;;) {
      rows = (
        await db.query<Row>(
          `SELECT task_id, status, idempotency_key, error FROM task_history WHERE idempotency_key LIKE $1`,
          [`chaos-${runId}-%`],
        )
      ).rows;
      runRows = (await db.query(`SELECT run_id, status FROM workflow_runs WHERE run_id = ANY($1::uuid[])`, [runs]))
        .rows;
      const openTasks = rows.filter((r) => !['completed', 'failed', 'canceled'].includes(r.status)).length;
      const openRuns = runRows.filter((r) => r.status === 'running').length;
      if ((openTasks === 0 && openRuns === 0) || Date.now() > settleEnd) break;
      await sleep(2_000);
    }
    const byKey = new Map<string, Row[]>();
    for (const r of rows) byKey.set(r.idempotency_key, [...(byKey.get(r.idempotency_key) ?? []), r]);
    let lost = 0;
    let duplicates = 0;
    for (const [key, ids] of answers) {
      const stored = byKey.get(key) ?? [];
      if (stored.length === 0 || [...ids].some((id) => !stored.some((s) => s.task_id === id))) lost += 1;
      if (stored.length > 1 || ids.size > 1) duplicates += 1;
    }
    const count = (status: string) => rows.filter((r) => r.status === status).length;
    const failureReasons: Record<string, number> = {};
    for (const r of rows.filter((x) => x.status === 'failed')) {
      const reason = (r.error ?? 'unknown').replace(/[0-9a-f-]{36}/g, '<id>').slice(0, 80);
      failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
    }
    const allCompleted = Number(
      (await db.query(`SELECT count(*) AS n FROM task_history WHERE status = 'completed'`)).rows[0].n,
    );
    const executed = system.executions();
    const unexplainedEvidence = await evidenceOf(db, system, executed.unexplainedTasks.slice(0, 3), started);
    const perCompleted = (n: number) => (allCompleted > 0 ? Math.round((n / allCompleted) * 1000) / 1000 : 0);
    return {
      options: o,
      accepted: answers.size,
      notAccepted,
      completed: count('completed'),
      failed: count('failed'),
      canceled: count('canceled'),
      unfinished: rows.filter((r) => !['completed', 'failed', 'canceled'].includes(r.status)).length,
      lost,
      duplicates,
      modelCalls: executed.calls,
      executions: executed.executions,
      executionsPerCompletedTask: perCompleted(executed.executions),
      reexecutionsAfterHostDeath: executed.afterHostDeath,
      longestCutMs: executed.longestCutMs,
      executionsPerCompletedTaskNoDeaths: perCompleted(executed.executions - executed.afterHostDeath),
      unexplainedReexecutions: executed.unexplained,
      unexplainedTasks: executed.unexplainedTasks,
      unexplainedEvidence,
      copiesSkipped: system.apps.reduce((n, a) => n + a.copiesSkipped, 0),
      workflowRunsStarted: runs.length,
      workflowRunsCompleted: runRows.filter((r) => r.status === 'completed').length,
      unexpectedExits: system.apps.flatMap((a) => a.unexpectedExits),
      faults,
      faultErrors,
      failureReasons,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** What happened to a task that ran twice: its model calls by app and its history, on the campaign's clock. */
async function evidenceOf(
  db: Client,
  system: ChaosSystem,
  taskIds: string[],
  started: number,
): Promise<UnexplainedEvidence[]> {
  const appOf = new Map<number, string>();
  for (const app of system.apps) for (const pid of app.pids) appOf.set(pid, app.name);
  const out: UnexplainedEvidence[] = [];
  for (const taskId of taskIds) {
    const calls = system
      .callLines(taskId)
      .map(([ms, pid, attempt]) => `${ms - started} ${appOf.get(pid) ?? '?'}(${pid}) attempt ${attempt}`);
    const { rows } = await db
      .query<{ at: Date; type: string; attempt: number; agent_id: string | null; status: string; detail: unknown }>(
        `SELECT created_at AS at, type, attempt, agent_id, status, detail FROM task_events WHERE task_id = $1 ORDER BY id`,
        [taskId],
      )
      .catch(() => ({ rows: [] }));
    const events = rows.map(
      (e) =>
        `${new Date(e.at).getTime() - started} ${e.type} attempt ${e.attempt} ${e.agent_id ?? '-'} ${e.status} ${JSON.stringify(e.detail ?? null).slice(0, 160)}`,
    );
    out.push({ task_id: taskId, calls, events });
  }
  return out;
}

async function killAndRestart(system: ChaosSystem, app: ChaosProcess, o: ChaosOptions): Promise<void> {
  const pid = app.pid;
  await app.kill();
  if (pid !== undefined && system.hosts.includes(app)) system.hostKills.push({ pid, at: Date.now() });
  await sleep(o.restartAfterMs);
  app.start();
  await system.waitReady([app], 180_000).catch(() => undefined);
}

async function inject(system: ChaosSystem, kind: FaultKind, o: ChaosOptions): Promise<void> {
  switch (kind) {
    case 'kill-group-host':
      return killAndRestart(system, system.hosts[1], o);
    case 'kill-orchestrator':
      return killAndRestart(system, system.orchestrators[0], o);
    case 'kill-registry':
      return killAndRestart(system, system.registries[0], o);
    case 'kill-all-agents-host':
      return killAndRestart(system, system.hosts[0], o);
    case 'restart-redis':
      await system.redis.kill();
      await sleep(o.restartAfterMs);
      return system.redis.start(60_000);
    case 'restart-postgres':
      await system.pg.stop();
      await sleep(o.postgresOutageMs);
      return system.pg.start();
  }
}
