/**
 * The auth phase of the orchestrator benchmark (issue 13: "auth costs under 5% of throughput"):
 * the throughput phase again on fresh orchestrators with auth off and on, in the order
 * off, on, on, off (a drift of the shared machine over the phase hurts both sides alike), each
 * warmed up first. Auth on is what production runs: a provisioned `*` key on every submission (guard,
 * key lookup, Redis rate limit), an audit row per submission in the group commit, and every agent
 * report's signature checked (the no-op agents sign with a host key bound to them).
 * BENCH_AUTH=0 skips it; BENCH_AUTH_ROUNDS (default 2) pairs of runs.
 */
import { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { generateApiKey, hashApiKey, keyPrefix } from '@app/auth';
import { cpuMs } from '../support/cpu-usage';

export interface PhaseFigures {
  tasksPerSec: number;
  p50Ms: number;
  p99Ms: number;
  count: number;
}

export interface AuthPhaseDeps {
  start(env: Record<string, string>, name: string): Promise<{ child: ChildProcess; url: string }>;
  stop(child: ChildProcess): Promise<void>;
  offer(url: string, rate: number, seconds: number, title: string, headers?: Record<string, string>): Promise<unknown>;
  waitAllFinished(ds: DataSource, title: string): Promise<void>;
  endToEnd(ds: DataSource, title: string): Promise<PhaseFigures>;
  log(message: string): void;
}

export interface AuthRun extends PhaseFigures {
  auth: 'on' | 'off';
  orchestrator_cpu_ms_per_task: number | null;
}

export interface AuthFigures {
  runs: AuthRun[];
  off_tasks_per_sec: number;
  on_tasks_per_sec: number;
  throughput_cost_pct: number;
  off_cpu_ms_per_task: number | null;
  on_cpu_ms_per_task: number | null;
  cpu_cost_pct: number | null;
}

/** A host credential bound to the bench's agents, stored as provisioning would: the no-op agents sign with it. */
export async function benchHostSigner(ds: DataSource, agentIds: string[]): Promise<{ keyId: string; secret: string }> {
  const key = generateApiKey();
  const keyId = randomUUID();
  await ds.query(
    `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, agent_ids, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'bench')`,
    [keyId, `bench-host-${keyId.slice(0, 8)}`, hashApiKey(key), keyPrefix(key), [], agentIds],
  );
  return { keyId, secret: hashApiKey(key) };
}

/** A provisioning file with one `*` key for the load generator, and the orchestrator's environment with auth on. */
function operatorAuth(): { env: Record<string, string>; headers: Record<string, string> } {
  const key = generateApiKey();
  const dir = mkdtempSync(join(tmpdir(), 'ea-bench-auth-'));
  const keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify({ keys: [{ name: 'bench', key, scopes: ['*'] }] }), { mode: 0o600 });
  return {
    // One credential drives the whole load: the limit stays on (its Redis round trip is part of the cost) but high.
    // NODE_ENV stays development on both sides so that only auth differs (production also asks for A2A URLs).
    env: {
      AUTH_MODE: 'on',
      AUTH_KEYS_FILE: keysFile,
      AUTH_RATE_LIMIT_PER_MINUTE: '10000000',
      REGISTRY_API_KEY: key,
    },
    headers: { authorization: `Bearer ${key}` },
  };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export async function authPhase(
  ds: DataSource,
  deps: AuthPhaseDeps,
  rate: number,
  seconds: number,
  rounds: number,
): Promise<AuthFigures> {
  const on = operatorAuth();
  const order: ('on' | 'off')[] = [];
  for (let r = 0; r < rounds; r++) order.push(...(r % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)));
  const runs: AuthRun[] = [];
  for (const [i, mode] of order.entries()) {
    const env = mode === 'on' ? on.env : { AUTH_MODE: 'disabled' };
    const headers = mode === 'on' ? on.headers : {};
    const { child, url } = await deps.start(env, `orchestrator-auth-${mode}`);
    try {
      const warm = `warmup_auth_${mode}_${i}`;
      await deps.offer(url, 200, 2, warm, headers);
      await deps.waitAllFinished(ds, warm);
      const title = `throughput_auth_${mode}_${i}`;
      deps.log(`auth ${mode} (run ${i + 1}/${order.length}): ${rate} tasks/s offered for ${seconds}s`);
      const before = cpuMs(child.pid);
      const offered = (await deps.offer(url, rate, seconds, title, headers)) as { accepted: number };
      await deps.waitAllFinished(ds, title);
      const after = cpuMs(child.pid);
      const figures = await deps.endToEnd(ds, title);
      const cpu =
        before !== null && after !== null && offered.accepted > 0
          ? Math.round(((after - before) / offered.accepted) * 1000) / 1000
          : null;
      runs.push({ auth: mode, ...figures, orchestrator_cpu_ms_per_task: cpu });
      deps.log(
        `auth ${mode}: ${figures.tasksPerSec} tasks/s, p99 ${figures.p99Ms} ms, orchestrator CPU ${cpu} ms/task`,
      );
    } finally {
      await deps.stop(child);
    }
  }
  const of = (mode: 'on' | 'off') => runs.filter((r) => r.auth === mode);
  const tps = (mode: 'on' | 'off') => Math.round(mean(of(mode).map((r) => r.tasksPerSec)));
  const cpus = (mode: 'on' | 'off') => {
    const values = of(mode).map((r) => r.orchestrator_cpu_ms_per_task);
    return values.every((v) => v !== null) ? Math.round(mean(values) * 1000) / 1000 : null;
  };
  const offCpu = cpus('off');
  const onCpu = cpus('on');
  return {
    runs,
    off_tasks_per_sec: tps('off'),
    on_tasks_per_sec: tps('on'),
    throughput_cost_pct: Math.round((1 - tps('on') / tps('off')) * 1000) / 10,
    off_cpu_ms_per_task: offCpu,
    on_cpu_ms_per_task: onCpu,
    cpu_cost_pct: offCpu && onCpu ? Math.round((onCpu / offCpu - 1) * 1000) / 10 : null,
  };
}
