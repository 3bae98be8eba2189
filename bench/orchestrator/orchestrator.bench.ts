/**
 * Orchestrator benchmark (issue 5). With no-op agents (answer at once): tasks per second end to
 * end (submitted -> completed recorded) at a high offered load, and submit-to-complete p50/p99 at
 * 200 tasks/s, beside the bare bus measured in the same run with the same no-op agents
 * (task out on a stream, started + result back), so the ratio is the orchestrator's overhead.
 * Run: npm run bench:orchestrator. Progress on stderr, the table on stdout, figures in
 * bench/results/orchestrator.json. Env: BENCH_DATABASE_URL (default .../ea_bench_orchestrator),
 * BENCH_REDIS_URL, BENCH_SECONDS (per phase, default 10), BENCH_RATE (offered tasks/s of the
 * throughput phase, default 1200), BENCH_LATENCY_RATE (default 200), BENCH_TRACING=0 (skip the tracing-on phase),
 * BENCH_PROFILE=1 (CPU profile of the orchestrator in /tmp/orchprof). Then an overload phase (overload-phase.ts): more
 * offered than the agents' slots take; BENCH_OVERLOAD_SECONDS (default BENCH_SECONDS), BENCH_OVERLOAD=0 skips it.
 * Last the auth phase (auth-phase.ts): auth off against on, same offered rate; BENCH_AUTH=0 skips it.
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/persistence';
import { RedisStreamsClient, RedisStreamsServer } from '@app/transport';
import { builtApp, freePort, freshDatabase } from '../support/bench-env';
import { startOtlpSink } from '../support/otlp-sink';
import { CpuSample, cpuMs, cpuMsMatching, cpuPerUnit } from '../support/cpu-usage';
import { paced } from '../support/paced-load';
import { percentile } from '../support/stats';
import { overloadPhase, OverloadFigures, SLOW_AGENTS, SLOW_MS, SLOW_ROLE, SLOW_SLOTS } from './overload-phase';
import { AuthFigures, authPhase, benchHostSigner } from './auth-phase';

const ROOT = join(__dirname, '..', '..');
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ea_bench_orchestrator';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 1200);
const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 200);
const PREFIX = `bench-orch-${randomUUID().slice(0, 8)}`;
const REGISTRY_PREFIX = `bench:orch-registry:${randomUUID().slice(0, 8)}:`;
const AGENTS = ['BEN-001', 'BEN-002', 'BEN-003', 'BEN-004'];

const log = (message: string) => process.stderr.write(`[bench:orchestrator] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Figures {
  tasksPerSec: number;
  p50Ms: number;
  p99Ms: number;
  count: number;
}

const children: ChildProcess[] = [];

/** Starts an app from its build (what production runs) or a bench script under ts-node. */
function spawnNode(entry: string[], env: Record<string, string>, name: string): ChildProcess {
  // Every orchestrator of the run (main, traced, auth off/on) is profiled, one file each (named by pid).
  const isOrchestrator = name.startsWith('orchestrator');
  const prof =
    isOrchestrator && process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=/tmp/orchprof/${name}`] : [];
  // e.g. BENCH_ORCHESTRATOR_NODE_ARGS="--trace-gc" to look inside the orchestrator
  if (isOrchestrator) prof.push(...(process.env.BENCH_ORCHESTRATOR_NODE_ARGS ?? '').split(' ').filter(Boolean));
  const child = spawn(process.execPath, [...prof, ...entry], {
    cwd: ROOT,
    // Auth off unless the env says otherwise (the auth phase compares off and on).
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      AUTH_MODE: 'disabled',
      LOG_LEVEL: 'warn',
      DATABASE_URL,
      REDIS_URL,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`));
  children.push(child);
  return child;
}

async function waitHttp(url: string, what: string): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await sleep(250);
  }
  throw new Error(`${what} did not become ready`);
}

/** Results of the bare-bus baseline, collected by a consumer in this process. */
const busLatencies = new Map<string, number>();
let busResults = 0;

@Controller()
class BusResultsController {
  @MessagePattern('bench.result')
  result(@Payload() payload: { id: string; sent: number }): void {
    busResults += 1;
    busLatencies.set(payload.id, Date.now() - payload.sent);
  }

  @MessagePattern('bench.started')
  started(): void {
    // counted with the result
  }
}

@Module({ controllers: [BusResultsController] })
class BusResultsModule {}

/** The bare bus: the same no-op agents, a message out on an agent stream and started + result back, no orchestrator. */
async function measureBareBus(rate: number, seconds: number): Promise<Figures> {
  const client = new RedisStreamsClient({ url: REDIS_URL, keyPrefix: PREFIX, from: 'bench' });
  busLatencies.clear();
  busResults = 0;
  const total = Math.round(rate * seconds);
  const start = Date.now();
  let sent = 0;
  const pending: Promise<unknown>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate));
    for (; sent < due; sent++) {
      const id = `${sent}`;
      pending.push(lastValueFrom(client.to(AGENTS[sent % AGENTS.length]).emit('bench.echo', { id, sent: Date.now() })));
    }
    await sleep(2);
  }
  await Promise.all(pending);
  const until = Date.now() + 30_000;
  while (busResults < total && Date.now() < until) await sleep(20);
  const elapsed = (Date.now() - start) / 1000;
  await client.close();
  const sorted = [...busLatencies.values()].sort((a, b) => a - b);
  return {
    tasksPerSec: Math.round(busResults / elapsed),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    count: busResults,
  };
}

/**
 * Submissions evenly paced at `rate` (open loop, see bench/support/paced-load.ts): a sustained
 * offered load, not autocannon's burst of each second's quota at the start of the second.
 */
async function offer(
  baseUrl: string,
  rate: number,
  seconds: number,
  title: string,
  headers?: Record<string, string>,
): Promise<{ accepted: number; errors: number }> {
  const result = await paced({
    base: baseUrl,
    rate,
    seconds,
    method: 'POST',
    path: () => '/api/tasks',
    body: () => ({ title, role: 'backend_dev', timeout_seconds: 120 }),
    maxSockets: 128,
    headers,
  });
  log(
    `  ${title}: ${result.ok} accepted at ${result.requestsPerSec}/s, submit p99 ${result.p99Ms} ms, failed ${result.failed}`,
  );
  return { accepted: result.ok, errors: result.failed };
}

async function waitAllFinished(ds: DataSource, title: string): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const [row] = await ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM task_history WHERE task_title = $1 AND status IN ('pending', 'in_progress')`,
      [title],
    );
    if (row.n === 0) return;
    if (Date.now() > until) throw new Error(`${row.n} "${title}" tasks still unfinished after 60 s`);
    log(`  waiting for ${row.n} "${title}" tasks to finish`);
    await sleep(1000);
  }
}

/** Submit-to-complete per task, from the history itself: created_at (accepted) to the commit that recorded the result. */
async function endToEnd(ds: DataSource, title: string): Promise<Figures> {
  const rows = await ds.query<{ ms: string; created_at: Date; updated_at: Date }[]>(
    `SELECT extract(epoch FROM (updated_at - created_at)) * 1000 AS ms, created_at, updated_at FROM task_history WHERE task_title = $1 AND status = 'completed'`,
    [title],
  );
  const sorted = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  const first = Math.min(...rows.map((r) => new Date(r.created_at).getTime()));
  const last = Math.max(...rows.map((r) => new Date(r.updated_at).getTime()));
  return {
    tasksPerSec: Math.round(rows.length / ((last - first) / 1000)),
    p50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
    p99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
    count: rows.length,
  };
}

/** The transport benchmark's own bare-bus figures, when helper 2's bench exports a measuring function. */
async function transportBenchFigures(): Promise<unknown> {
  const candidates = ['transport.bench.ts', 'measure.ts', 'bare-bus.ts']
    .map((f) => join(__dirname, '..', 'transport', f))
    .filter((f) => existsSync(f));
  for (const file of candidates) {
    const mod = (await import(file)) as Record<string, unknown>;
    const fn = Object.entries(mod).find(([name, v]) => typeof v === 'function' && /^measure/i.test(name));
    if (fn) {
      log(`transport benchmark: ${file} ${fn[0]}()`);
      return (fn[1] as (options?: unknown) => Promise<unknown>)({ seconds: Math.min(SECONDS, 5), redisUrl: REDIS_URL });
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  log(`fresh database ${DATABASE_URL}`);
  await freshDatabase(DATABASE_URL);
  const ds = new DataSource(dataSourceOptions(DATABASE_URL));
  await ds.initialize();
  // The no-op agents sign their reports as a host bound to them (checked only by an orchestrator with auth on).
  const signer = await benchHostSigner(ds, [...AGENTS, ...SLOW_AGENTS]);
  const registryPort = await freePort(30000);
  const orchestratorPort = await freePort(30000);
  const registryUrl = `http://127.0.0.1:${registryPort}`;
  log('starting registry and no-op agents');
  const registry = spawnNode(
    builtApp(ROOT, 'registry'),
    { REGISTRY_PORT: String(registryPort), REGISTRY_REDIS_PREFIX: REGISTRY_PREFIX },
    'registry',
  );
  await waitHttp(`${registryUrl}/health/ready`, 'registry');
  const agents = spawnNode(
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'bench/orchestrator/noop-agents.ts'],
    {
      TRANSPORT_KEY_PREFIX: PREFIX,
      BENCH_AGENTS: AGENTS.join(','),
      REGISTRY_URL: registryUrl,
      BENCH_SLOW_AGENTS: SLOW_AGENTS.join(','),
      BENCH_SLOW_ROLE: SLOW_ROLE,
      BENCH_SLOW_MS: String(SLOW_MS),
      BENCH_SLOW_SLOTS: String(SLOW_SLOTS),
      BENCH_SIGNER_ID: signer.keyId,
      BENCH_SIGNER_SECRET: signer.secret,
    },
    'noop-agents',
  );
  await new Promise<void>((resolve, reject) => {
    agents.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    agents.once('exit', (code) => reject(new Error(`no-op agents exited with ${code}`)));
  });

  const busServer = new RedisStreamsServer({
    url: REDIS_URL,
    keyPrefix: PREFIX,
    consumerName: 'bench',
    addresses: [{ address: 'bench.results', concurrency: 1024 }],
    blockMs: 200,
  });
  const busApp = await NestFactory.createMicroservice(BusResultsModule, { strategy: busServer, logger: ['error'] });
  await busApp.listen();
  log(`bare bus: warm-up, then ${RATE}/s and ${LATENCY_RATE}/s for ${SECONDS}s each`);
  await measureBareBus(200, 1);
  const busThroughput = await measureBareBus(RATE, SECONDS);
  const busLatency = await measureBareBus(LATENCY_RATE, SECONDS);
  await busApp.close();
  const transportFigures = await transportBenchFigures().catch((error: unknown) => {
    log(`transport benchmark function failed: ${(error as Error).message}`);
    return undefined;
  });

  log('starting orchestrator');
  const orchestratorEnv = {
    REGISTRY_URL: registryUrl,
    TRANSPORT_KEY_PREFIX: PREFIX,
    ORCHESTRATOR_NEST_REDIS_TRANSPORT: 'false',
    ORCHESTRATOR_INSTANCE_ID: `bench-${PREFIX}`,
    DATABASE_POOL_SIZE: '20',
  };
  const orchestrator = spawnNode(
    builtApp(ROOT, 'orchestrator'),
    { ...orchestratorEnv, ORCHESTRATOR_PORT: String(orchestratorPort) },
    'orchestrator',
  );
  const orchestratorUrl = `http://127.0.0.1:${orchestratorPort}`;
  await waitHttp(`${orchestratorUrl}/health/ready`, 'orchestrator');

  log('warm-up: 400 tasks at 200/s');
  await offer(orchestratorUrl, 200, 2, 'warmup');
  await waitAllFinished(ds, 'warmup');

  // CPU time per task of each process taking part, from /proc: what a task costs, whatever the noise.
  const cpu = (): CpuSample => ({
    orchestrator: cpuMs(orchestrator.pid),
    agents: cpuMs(agents.pid),
    registry: cpuMs(registry.pid),
    postgres: cpuMsMatching(/^postgres: /),
    redis: cpuMsMatching(/^redis-server /),
    load_generator: cpuMs(process.pid),
  });

  log(`throughput: ${RATE} tasks/s offered for ${SECONDS}s`);
  const cpuBeforeThroughput = cpu();
  const tp = await offer(orchestratorUrl, RATE, SECONDS, 'throughput');
  await waitAllFinished(ds, 'throughput');
  const throughputCpu = cpuPerUnit(cpuBeforeThroughput, cpu(), tp.accepted);
  const throughput = await endToEnd(ds, 'throughput');

  log(`latency: ${LATENCY_RATE} tasks/s offered for ${SECONDS}s`);
  const cpuBeforeLatency = cpu();
  const lat = await offer(orchestratorUrl, LATENCY_RATE, SECONDS, 'latency');
  await waitAllFinished(ds, 'latency');
  const latencyCpu = cpuPerUnit(cpuBeforeLatency, cpu(), lat.accepted);
  const latency = await endToEnd(ds, 'latency');

  let overload: OverloadFigures | null = null;
  if (process.env.BENCH_OVERLOAD !== '0')
    overload = await overloadPhase(ds, orchestratorUrl, Number(process.env.BENCH_OVERLOAD_SECONDS ?? SECONDS), log);

  const [events] = await ds.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM task_events e JOIN task_history t USING (task_id) WHERE t.task_title = 'throughput'`,
  );
  const metrics = await (await fetch(`${orchestratorUrl}/metrics`)).text();
  const lagP99 = /nodejs_eventloop_lag_p99_seconds\{[^}]*\} ([\d.e+-]+)/.exec(metrics);
  const commit =
    /orchestrator_group_commit_seconds_sum\{[^}]*\} ([\d.e+-]+)[\s\S]*orchestrator_group_commit_seconds_count\{[^}]*\} (\d+)/.exec(
      metrics,
    );
  const batch =
    /orchestrator_group_commit_batch_size_sum\{[^}]*\} ([\d.e+]+)[\s\S]*orchestrator_group_commit_batch_size_count\{[^}]*\} (\d+)/.exec(
      metrics,
    );
  const tracing = process.env.BENCH_TRACING === '0' ? null : await tracedThroughput(ds, orchestrator, orchestratorEnv);
  await stopChild(orchestrator);
  const auth: AuthFigures | null =
    process.env.BENCH_AUTH === '0'
      ? null
      : await authPhase(
          ds,
          {
            start: async (env, name) => {
              const port = await freePort(30000);
              const child = spawnNode(
                builtApp(ROOT, 'orchestrator'),
                { ...orchestratorEnv, ORCHESTRATOR_PORT: String(port), ...env },
                name,
              );
              const url = `http://127.0.0.1:${port}`;
              await waitHttp(`${url}/health/ready`, name);
              return { child, url };
            },
            stop: stopChild,
            offer,
            waitAllFinished,
            endToEnd,
            log,
          },
          RATE,
          SECONDS,
          Number(process.env.BENCH_AUTH_ROUNDS ?? 2),
        );
  await ds.destroy();

  const result = {
    at: new Date().toISOString(),
    seconds_per_phase: SECONDS,
    offered_rate: RATE,
    latency_rate: LATENCY_RATE,
    bare_bus: { throughput: busThroughput, latency: busLatency },
    transport_bench: transportFigures ?? null,
    orchestrator: { throughput, latency, accepted: tp.accepted + lat.accepted, http_errors: tp.errors + lat.errors },
    cpu_ms_per_task: { throughput: throughputCpu, latency: latencyCpu },
    history_events_per_task: Math.round((events.n / throughput.count) * 100) / 100,
    overload,
    mean_group_commit_batch: batch ? Math.round((Number(batch[1]) / Number(batch[2])) * 10) / 10 : null,
    orchestrator_event_loop_lag_p99_ms: lagP99 ? Math.round(Number(lagP99[1]) * 10000) / 10 : null,
    mean_group_commit_ms: commit ? Math.round((Number(commit[1]) / Number(commit[2])) * 10000) / 10 : null,
    tracing,
    auth,
    ratios: {
      throughput_orchestrator_over_bus: Math.round((throughput.tasksPerSec / busThroughput.tasksPerSec) * 100) / 100,
      p50_orchestrator_over_bus: Math.round((latency.p50Ms / busLatency.p50Ms) * 10) / 10,
      p99_orchestrator_over_bus: Math.round((latency.p99Ms / busLatency.p99Ms) * 10) / 10,
    },
  };
  const table = [
    `| measurement (same run, same no-op agents) | tasks/s | p50 ms | p99 ms |`,
    `|---|---|---|---|`,
    `| bare bus, ${RATE}/s offered | ${busThroughput.tasksPerSec} | ${busThroughput.p50Ms} | ${busThroughput.p99Ms} |`,
    `| orchestrator end to end, ${RATE}/s offered | ${throughput.tasksPerSec} | ${throughput.p50Ms} | ${throughput.p99Ms} |`,
    `| bare bus, ${LATENCY_RATE}/s offered | ${busLatency.tasksPerSec} | ${busLatency.p50Ms} | ${busLatency.p99Ms} |`,
    `| orchestrator end to end, ${LATENCY_RATE}/s offered | ${latency.tasksPerSec} | ${latency.p50Ms} | ${latency.p99Ms} |`,
    '',
    `orchestrator/bus: throughput x${result.ratios.throughput_orchestrator_over_bus}, p50 x${result.ratios.p50_orchestrator_over_bus}, p99 x${result.ratios.p99_orchestrator_over_bus}; ` +
      `${result.history_events_per_task} history events per task; mean group commit ${result.mean_group_commit_batch} changes in ${result.mean_group_commit_ms} ms; HTTP errors ${result.orchestrator.http_errors}; ` +
      `orchestrator event-loop lag p99 ${result.orchestrator_event_loop_lag_p99_ms} ms`,
  ];
  table.push(
    `CPU ms per task (throughput phase): ${Object.entries(throughputCpu)
      .map(([k, v]) => `${k} ${v ?? '?'}`)
      .join(', ')}`,
  );
  table.push(
    `CPU ms per task (latency phase):    ${Object.entries(latencyCpu)
      .map(([k, v]) => `${k} ${v ?? '?'}`)
      .join(', ')}`,
  );
  if (overload)
    table.push(
      `overload (${overload.offered_per_sec}/s offered, slots take ${overload.capacity_per_sec}/s): accepted ${overload.accepted}, completed ${overload.completed}, ` +
        `failed ${overload.failed}, other ${overload.other}, HTTP errors ${overload.http_errors}; attempts per completed task ${overload.attempts_per_completed}; ` +
        `most attempts on one agent at once ${overload.max_concurrent_per_agent} (slots ${SLOW_SLOTS}); queue wait p50/p99 ${overload.queue_wait_p50_ms}/${overload.queue_wait_p99_ms} ms; ` +
        `completion p50/p99 ${overload.completion_p50_ms}/${overload.completion_p99_ms} ms; drained in ${overload.drain_seconds} s`,
    );
  if (tracing)
    table.push(
      `tracing (same ${RATE}/s offered): off ${tracing.off.tasksPerSec} tasks/s p99 ${tracing.off.p99Ms} ms, ` +
        `on (every span exported to a local OTLP receiver) ${tracing.on.tasksPerSec} tasks/s p99 ${tracing.on.p99Ms} ms: ` +
        `throughput ${tracing.throughput_cost_pct}% lower; ${tracing.export_requests} export requests, ${tracing.export_kib} KiB`,
    );
  if (auth)
    table.push(
      `auth (same ${RATE}/s offered, fresh orchestrators in the order ${auth.runs.map((r) => r.auth).join(', ')}): ` +
        `off ${auth.off_tasks_per_sec} tasks/s, on ${auth.on_tasks_per_sec} tasks/s: auth costs ${auth.throughput_cost_pct}% of throughput ` +
        `(negative: on was faster; goal < 5%: ${auth.throughput_cost_pct < 5 ? 'MET' : 'NOT MET'}); orchestrator CPU per task off ${auth.off_cpu_ms_per_task} ms, ` +
        `on ${auth.on_cpu_ms_per_task} ms (${auth.cpu_cost_pct}% more; < 5%: ${auth.cpu_cost_pct !== null && auth.cpu_cost_pct < 5 ? 'MET' : 'NOT MET'}); runs: ${auth.runs
          .map((r) => `${r.auth} ${r.tasksPerSec}/s p99 ${r.p99Ms} ms cpu ${r.orchestrator_cpu_ms_per_task}`)
          .join('; ')}`,
    );
  if (transportFigures) table.push(`transport bench (helper 2): ${JSON.stringify(transportFigures)}`);
  process.stdout.write(`${table.join('\n')}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'orchestrator.json'), `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Tracing on against off, side by side: the throughput phase again with a second orchestrator that exports every
 * span (ratio 1) to a local OTLP receiver; the first one (tracing off) is stopped so they never compete.
 */
async function tracedThroughput(ds: DataSource, untraced: ChildProcess, env: Record<string, string>) {
  const off = await endToEnd(ds, 'throughput');
  await new Promise<void>((resolve) => {
    if (untraced.exitCode !== null) return resolve();
    untraced.once('exit', () => resolve());
    untraced.kill('SIGTERM');
  });
  const sink = await startOtlpSink();
  const port = await freePort(30000);
  log('tracing on: an orchestrator exporting every span to a local OTLP receiver');
  const traced = spawnNode(
    builtApp(ROOT, 'orchestrator'),
    { ...env, ORCHESTRATOR_PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_BSP_SCHEDULE_DELAY: '500' },
    'orchestrator-traced',
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/health/ready`, 'traced orchestrator');
  await offer(url, 200, 2, 'warmup_traced');
  await waitAllFinished(ds, 'warmup_traced');
  log(`throughput with tracing: ${RATE} tasks/s offered for ${SECONDS}s`);
  await offer(url, RATE, SECONDS, 'throughput_traced');
  await waitAllFinished(ds, 'throughput_traced');
  const on = await endToEnd(ds, 'throughput_traced');
  await sleep(1_000); // the last batch of spans
  await stopChild(traced); // the phases after this one run their own orchestrators
  await sink.close();
  return {
    off,
    on,
    throughput_cost_pct: Math.round((1 - on.tasksPerSec / off.tasksPerSec) * 1000) / 10,
    export_requests: sink.stats.requests,
    export_kib: Math.round(sink.stats.bytes / 1024),
  };
}

/** SIGTERM, then the exit (an orchestrator drains its group commit before it exits). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function cleanup(): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  // Whatever has not exited a few seconds later is killed: no benchmark process outlives the run.
  setTimeout(
    () => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')),
    5_000,
  ).unref();
  if (process.env.BENCH_PROFILE) await sleep(3000); // the profiled orchestrator writes its .cpuprofile on exit
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  for (const pattern of [`${PREFIX}:*`, `${REGISTRY_PREFIX}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
  await redis.quit();
}

main()
  .then(cleanup)
  .then(() => sleep(5_500))
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
    await cleanup().catch(() => undefined);
    await sleep(5_500);
    process.exit(1);
  });
