/**
 * Registry benchmark (issue 2): 1,000 registered agents; heartbeats/s and discovery latency,
 * each beside a trivial endpoint (GET /health of the same Nest-on-Fastify app) measured in the
 * same run. Discovery latency is measured at an evenly paced 200 req/s (bench/support/paced-load.ts).
 * Run: npm run bench:registry. Progress on stderr, the table on stdout, figures in
 * bench/results/registry.json. Env: BENCH_DATABASE_URL (default .../ea_bench_registry),
 * BENCH_REDIS_URL, BENCH_SECONDS (per measurement, default 8), BENCH_CONNECTIONS (default 20), BENCH_AUTH_PAIRS and
 * BENCH_AUTH_SECONDS (the auth-cost phase: off/on pairs of heartbeat rounds, default 6 pairs of 5 s rounds),
 * BENCH_AUTH_PROCESSES (fresh registries per side the pairs take turns on, default 3).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { Client } from 'pg';
import { authEnv, benchCredentials } from '../support/bench-auth';
import { builtApp, freePort, freshDatabase } from '../support/bench-env';
import { cpuMs } from '../support/cpu-usage';
import { PacedResult, paced } from '../support/paced-load';

const ROOT = join(__dirname, '..', '..');
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ea_bench_registry';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
// The auth-cost phase: this many off/on pairs of heartbeat rounds, each round this long.
const AUTH_PAIRS = Number(process.env.BENCH_AUTH_PAIRS ?? 6);
const AUTH_PROCESSES = Number(process.env.BENCH_AUTH_PROCESSES ?? 3);
const AUTH_SECONDS = Number(process.env.BENCH_AUTH_SECONDS ?? 5);
const AGENTS = 1000;
const ROLES = 10;
const DISCOVERY_RATE = 200;
const PREFIX = `bench:registry:${randomUUID().slice(0, 8)}:`;

const log = (message: string) => process.stderr.write(`[bench:registry] ${message}\n`);

// Auth on as in production (a provisioned `*` key); the auth-off registry measures what auth costs.
const AUTH = benchCredentials();

function startRegistry(port: number, auth = true): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_REGISTRY_NODE_ARGS="--trace-gc" or "--cpu-prof --cpu-prof-dir=/tmp/prof" to look inside
      ...(process.env.BENCH_REGISTRY_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ...builtApp(ROOT, 'registry'),
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        ...authEnv(auth, AUTH.keysFile),
        LOG_LEVEL: 'warn',
        DATABASE_URL,
        REDIS_URL,
        REGISTRY_PORT: String(port),
        REGISTRY_REDIS_PREFIX: PREFIX,
      },
      // The registry's own output goes to stderr with the progress; stdout stays the table.
      stdio: ['ignore', process.stderr, process.stderr],
    },
  );
  return child;
}

async function waitReady(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`registry exited with ${child.exitCode}`);
    try {
      const live = await fetch(`${base}/health`);
      const body = (await live.json()) as { service?: string };
      if (body.service !== 'registry') throw new Error(`port taken by another app (${JSON.stringify(body)})`);
      const res = await fetch(`${base}/health/ready`);
      if (res.ok) return;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('port taken')) throw error;
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('registry not ready within 90 s');
}

const agentId = (i: number) => `B${Math.floor(i / 100)}-${String(i % 100).padStart(3, '0')}`;
const role = (i: number) => `bench_role_${i % ROLES}`;

async function registerAgents(base: string): Promise<string[]> {
  const ids = Array.from({ length: AGENTS }, (_, i) => agentId(i));
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      const res = await fetch(`${base}/api/agents/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH.headers },
        body: JSON.stringify({
          agent_id: ids[i],
          name: `Bench agent ${i}`,
          role: role(i),
          host: '127.0.0.1',
          port: 6000 + (i % 1000),
          metadata: { bench: true },
          capabilities: [
            { capability: 'typescript', proficiency_level: (i % 10) + 1 },
            { capability: `skill_${i % 7}`, proficiency_level: 5 },
          ],
          max_tasks: 3 + (i % 3),
        }),
      });
      if (res.status !== 200) throw new Error(`register ${ids[i]}: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return ids;
}

interface Measured {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

async function cannon(label: string, options: autocannon.Options): Promise<Measured> {
  log(
    `${label}: ${options.duration as number}s, ${options.connections ?? CONNECTIONS} connections${options.overallRate ? `, ${options.overallRate} req/s` : ''}`,
  );
  const result = await autocannon({
    ...options,
    headers: { ...AUTH.headers, ...options.headers },
    connections: options.connections ?? CONNECTIONS,
  });
  const measured = {
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  log(
    `${label}: ${measured.requestsPerSec} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, errors ${measured.errors}, non-2xx ${measured.non2xx}` +
      (measured.non2xx > 0 ? ` (status codes ${JSON.stringify(result.statusCodeStats)})` : ''),
  );
  return measured;
}

async function pacedRun(base: string, label: string, path: (i: number) => string): Promise<PacedResult> {
  log(`${label}: ${SECONDS}s`);
  const result = await paced({ base, rate: DISCOVERY_RATE, seconds: SECONDS, path, headers: AUTH.headers });
  log(
    `${label}: ${result.requestsPerSec} req/s, p50 ${result.p50Ms} ms, p90 ${result.p90Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms, failed ${result.failed}`,
  );
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function mean3(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function mean(values: number[]): number {
  return Math.round(values.reduce((a, b) => a + b, 0) / values.length);
}

async function measureAuthCost(ids: string[], discoveryOnP99: number, heartbeatOnRps: number) {
  // CPU milliseconds the registry spent per heartbeat: steadier than req/s while other work shares the machine.
  const cpuPerRequest = { on: [] as number[], off: [] as number[] };
  const beat = async (url: string, label: string, pid?: number, side?: 'on' | 'off'): Promise<Measured> => {
    const before = cpuMs(pid);
    const measured = await beatOnce(url, label, side ? AUTH_SECONDS : SECONDS);
    const after = cpuMs(pid);
    const requests = measured.requestsPerSec * (side ? AUTH_SECONDS : SECONDS);
    if (side && before !== null && after !== null && requests > 0)
      cpuPerRequest[side].push((after - before) / requests);
    return measured;
  };
  const beatOnce = (url: string, label: string, seconds: number) => {
    let n = 0;
    return cannon(label, {
      url,
      duration: seconds,
      requests: [
        { method: 'POST', setupRequest: (req) => ({ ...req, path: `/api/agents/${ids[n++ % ids.length]}/heartbeat` }) },
      ],
    });
  };
  // Both sides fresh processes warmed up alike (the registry of the earlier phases has run much more: a bigger heap
  // and colder caches would count against auth). Two fresh processes running the same code differ by up to ~10% on
  // this machine (JIT and memory layout), so each side gets AUTH_PROCESSES of them and the pairs take turns.
  interface Side {
    base: string;
    child: ChildProcess;
  }
  const spawnSide = async (auth: boolean, from: number): Promise<Side> => {
    const port = await freePort(from);
    return { base: `http://127.0.0.1:${port}`, child: startRegistry(port, auth) };
  };
  const sides: { off: Side[]; on: Side[] } = { off: [], on: [] };
  try {
    for (let i = 0; i < AUTH_PROCESSES; i++) {
      sides.off.push(await spawnSide(false, 21000 + 100 * i));
      sides.on.push(await spawnSide(true, 22000 + 100 * i));
    }
    for (const [name, list] of [
      ['off', sides.off],
      ['on', sides.on],
    ] as const) {
      for (const [i, side] of list.entries()) {
        await waitReady(side.base, side.child);
        await beat(side.base, `auth ${name} #${i + 1}: warm-up`);
        await paced({
          base: side.base,
          rate: DISCOVERY_RATE,
          seconds: 3,
          path: (k) => `/api/agents/discover/${role(k)}`,
          headers: name === 'on' ? AUTH.headers : undefined,
        });
      }
    }
    // Pairs of adjacent rounds (off,on / on,off / ...) on the next process of each side: a burst of other work on
    // this 2-core machine lands in one pair, and the median of the pairs' ratios is not moved by it.
    const ons: Measured[] = [];
    const offs: Measured[] = [];
    const pairCosts: number[] = [];
    const pairCpu: number[] = [];
    for (let pair = 0; pair < AUTH_PAIRS; pair++) {
      const order = pair % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
      const index = Math.floor(pair / 2) % AUTH_PROCESSES;
      const got: Partial<Record<'on' | 'off', Measured>> = {};
      for (const side of order) {
        const label = `pair ${pair + 1}/${AUTH_PAIRS} auth ${side} #${index + 1}: heartbeats`;
        const target = sides[side][index];
        got[side] = await beat(target.base, label, target.child.pid, side);
      }
      ons.push(got.on!);
      offs.push(got.off!);
      pairCosts.push(100 * (1 - got.on!.requestsPerSec / got.off!.requestsPerSec));
      const [cpuOn, cpuOff] = [cpuPerRequest.on.at(-1), cpuPerRequest.off.at(-1)];
      if (cpuOn !== undefined && cpuOff !== undefined) pairCpu.push(100 * (cpuOn / cpuOff - 1));
      log(`pair ${pair + 1}: auth costs ${pairCosts[pairCosts.length - 1].toFixed(1)}% of heartbeat throughput`);
    }
    const on = { requestsPerSec: mean(ons.map((m) => m.requestsPerSec)) };
    const offBeat = { requestsPerSec: mean(offs.map((m) => m.requestsPerSec)) };
    const discoveryOff = await pacedRun(
      sides.off[0].base,
      `auth off: discovery at ${DISCOVERY_RATE} req/s, paced`,
      (k) => `/api/agents/discover/${role(k)}`,
    );
    return {
      processes_per_side: AUTH_PROCESSES,
      heartbeat_on: on.requestsPerSec,
      heartbeat_on_earlier_rounds: heartbeatOnRps,
      heartbeat_off: offBeat.requestsPerSec,
      heartbeat_cost_pct_of_means: Number((100 * (1 - on.requestsPerSec / offBeat.requestsPerSec)).toFixed(1)),
      heartbeat_cost_pct_per_pair: pairCosts.map((c) => Number(c.toFixed(1))),
      heartbeat_cost_pct: Number(median(pairCosts).toFixed(1)),
      heartbeat_cpu_ms_on: cpuPerRequest.on.length ? Number(mean3(cpuPerRequest.on).toFixed(4)) : null,
      heartbeat_cpu_ms_off: cpuPerRequest.off.length ? Number(mean3(cpuPerRequest.off).toFixed(4)) : null,
      heartbeat_cpu_cost_pct: pairCpu.length ? Number(median(pairCpu).toFixed(1)) : null,
      discovery_on_p99_ms: discoveryOnP99,
      discovery_off: discoveryOff,
    };
  } finally {
    for (const side of [...sides.off, ...sides.on]) {
      side.child.kill('SIGTERM');
      await new Promise((resolve) => (side.child.exitCode !== null ? resolve(null) : side.child.once('exit', resolve)));
    }
  }
}

async function main(): Promise<void> {
  log(`fresh database ${DATABASE_URL}`);
  await freshDatabase(DATABASE_URL);
  const port = await freePort(20000);
  const base = `http://127.0.0.1:${port}`;
  log(`starting the registry on ${base} (Redis prefix ${PREFIX})`);
  const child = startRegistry(port);
  const redis = new Redis(REDIS_URL);
  try {
    await waitReady(base, child);
    log(`registering ${AGENTS} agents`);
    const ids = await registerAgents(base);

    const trivial: Measured[] = [];
    const heartbeat: Measured[] = [];
    const beatsSince = new Date();
    // Interleaved twice so a noisy neighbour hurts both sides alike.
    for (let round = 1; round <= 2; round++) {
      trivial.push(await cannon(`round ${round} trivial GET /health`, { url: `${base}/health`, duration: SECONDS }));
      let n = 0;
      heartbeat.push(
        await cannon(`round ${round} POST heartbeat across ${AGENTS} agents`, {
          url: base,
          duration: SECONDS,
          requests: [
            {
              method: 'POST',
              setupRequest: (req) => ({ ...req, path: `/api/agents/${ids[n++ % ids.length]}/heartbeat` }),
            },
          ],
        }),
      );
    }

    // Warm-up (JIT, discovery cache, connections): the first seconds are not what a running registry serves.
    log(`discovery warm-up: 3s at ${DISCOVERY_RATE} req/s, paced`);
    await paced({
      base,
      rate: DISCOVERY_RATE,
      seconds: 3,
      path: (i) => `/api/agents/discover/${role(i)}`,
      headers: AUTH.headers,
    });
    // Latency at a fixed rate, paced evenly (open loop, from each request's due time): the trivial
    // endpoint first (this machine's floor right now), then discovery rotating over the 10 roles.
    const trivialAtRate = await pacedRun(
      base,
      `trivial GET /health at ${DISCOVERY_RATE} req/s, paced`,
      () => '/health',
    );
    const discovery = await pacedRun(
      base,
      `discovery GET /api/agents/discover/:role at ${DISCOVERY_RATE} req/s, paced`,
      (i) => `/api/agents/discover/${role(i)}`,
    );
    // For comparison with earlier runs: autocannon's overallRate, which sends each second's quota in a
    // burst over 10 connections (closed loop); not the goal's measure, see docs/decisions/0013.
    let r = 0;
    const discoveryBurst = await cannon(`discovery at ${DISCOVERY_RATE} req/s as autocannon bursts`, {
      url: base,
      duration: SECONDS,
      connections: 10,
      overallRate: DISCOVERY_RATE,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/agents/discover/${role(r++)}` }) }],
    });

    // Exactness: every agent that beat must reach PostgreSQL through the batched flush.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const db = new Client({ connectionString: DATABASE_URL });
    await db.connect();
    const flushed = (
      await db.query('SELECT count(*)::int AS n FROM agent_registry WHERE last_heartbeat >= $1', [beatsSince])
    ).rows[0].n as number;
    await db.end();

    const trivialRps = mean(trivial.map((m) => m.requestsPerSec));
    const heartbeatRps = mean(heartbeat.map((m) => m.requestsPerSec));
    const ratio = heartbeatRps / trivialRps;
    const goals = {
      heartbeat_at_least_40pct_of_trivial: ratio >= 0.4,
      discovery_p99_under_10ms: discovery.p99Ms < 10,
    };
    const rows: [string, string, string, string, string][] = [
      ['measurement', 'req/s', 'p50 ms', 'p99 ms', 'vs trivial'],
      ['trivial GET /health', String(trivialRps), String(trivial[0].p50Ms), String(trivial[0].p99Ms), '1.00'],
      [
        'heartbeat (1,000 agents)',
        String(heartbeatRps),
        String(heartbeat[0].p50Ms),
        String(heartbeat[0].p99Ms),
        ratio.toFixed(2),
      ],
      [
        `trivial GET /health @${DISCOVERY_RATE}/s`,
        String(trivialAtRate.requestsPerSec),
        String(trivialAtRate.p50Ms),
        String(trivialAtRate.p99Ms),
        '1.00',
      ],
      [
        `discover/:role @${DISCOVERY_RATE}/s`,
        String(discovery.requestsPerSec),
        String(discovery.p50Ms),
        String(discovery.p99Ms),
        (discovery.p99Ms / trivialAtRate.p99Ms).toFixed(2),
      ],
      [
        `discover/:role, autocannon bursts`,
        String(discoveryBurst.requestsPerSec),
        String(discoveryBurst.p50Ms),
        String(discoveryBurst.p99Ms),
        '-',
      ],
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
    const out = rows
      .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '))
      .join('\n');
    process.stdout.write(`\n${out}\n\n`);
    process.stdout.write(
      `heartbeat/trivial = ${(ratio * 100).toFixed(1)}%  (goal >= 40%): ${goals.heartbeat_at_least_40pct_of_trivial ? 'MET' : 'NOT MET'}\n`,
    );
    process.stdout.write(
      `discovery p99 = ${discovery.p99Ms} ms at ${DISCOVERY_RATE} req/s (goal < 10 ms): ${goals.discovery_p99_under_10ms ? 'MET' : 'NOT MET'}` +
        ` (trivial endpoint at the same rate: p99 ${trivialAtRate.p99Ms} ms)\n`,
    );
    process.stdout.write(`agents whose heartbeat reached PostgreSQL by batched flush: ${flushed}/${AGENTS}\n`);
    const failures =
      [...trivial, ...heartbeat, discoveryBurst].reduce((a, m) => a + m.errors + m.non2xx, 0) +
      trivialAtRate.failed +
      discovery.failed;
    if (failures > 0) process.stdout.write(`WARNING: ${failures} failed requests during the run\n`);

    // What auth costs, same run: heartbeats back to back on this registry (auth on) and on a second one
    // with auth off (same database and Redis keys), then discovery paced on the auth-off one.
    const authCost = await measureAuthCost(ids, discovery.p99Ms, heartbeatRps);
    const cpuCost =
      authCost.heartbeat_cpu_ms_on !== null && authCost.heartbeat_cpu_ms_off
        ? ` (registry CPU per heartbeat ${authCost.heartbeat_cpu_ms_on} ms on vs ${authCost.heartbeat_cpu_ms_off} ms off: ` +
          `${(100 * (authCost.heartbeat_cpu_ms_on / authCost.heartbeat_cpu_ms_off - 1)).toFixed(1)}% more; ` +
          `median of the pairs ${authCost.heartbeat_cpu_cost_pct}%)`
        : '';
    process.stdout.write(
      `auth cost: heartbeat ${authCost.heartbeat_cost_pct}% less throughput (median of ${AUTH_PAIRS} off/on pairs: ` +
        `${authCost.heartbeat_cost_pct_per_pair.join(', ')}%; means ${authCost.heartbeat_on} req/s on vs ${authCost.heartbeat_off} off, ` +
        `${authCost.heartbeat_cost_pct_of_means}% less; ${AUTH_PROCESSES} fresh registries per side)${cpuCost}; ` +
        `discovery p99 ${discovery.p99Ms} ms on vs ${authCost.discovery_off.p99Ms} ms off (goal: auth costs < 5% of throughput)\n`,
    );

    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench', 'results', 'registry.json'),
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          agents: AGENTS,
          seconds_per_measurement: SECONDS,
          connections: CONNECTIONS,
          trivial,
          heartbeat,
          discovery,
          trivial_at_discovery_rate: trivialAtRate,
          discovery_autocannon_bursts: discoveryBurst,
          trivial_rps: trivialRps,
          heartbeat_rps: heartbeatRps,
          heartbeat_to_trivial: Number(ratio.toFixed(3)),
          discovery_rate: DISCOVERY_RATE,
          flushed_agents: flushed,
          failed_requests: failures,
          auth_cost: authCost,
          goals,
        },
        null,
        2,
      )}\n`,
    );
    log('figures saved to bench/results/registry.json');
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}

main().catch((error) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
