/** What one campaign runs; every field has an environment variable (see README, "Fault campaign"). */
export interface ChaosOptions {
  tasks: number;
  /** Offered tasks per second. */
  rate: number;
  workflowRuns: number;
  registries: number;
  orchestrators: number;
  /** Agent hosts: one runs every agent, the others run the same group (replicas of it). At least 2. */
  hosts: number;
  /** Simulated model time per call. */
  scriptedLatencyMs: number;
  /** Fault kinds, in order, spread over the load window. */
  faults: FaultKind[];
  restartAfterMs: number;
  postgresOutageMs: number;
  /** Longest wait for every accepted task and run to end after the load. */
  settleSeconds: number;
  /** Per-attempt deadline of the campaign's tasks. */
  taskTimeoutSeconds: number;
}

export const FAULT_KINDS = [
  'kill-group-host',
  'kill-orchestrator',
  'kill-registry',
  'restart-redis',
  'restart-postgres',
  'kill-all-agents-host',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min} (got "${raw}")`);
  return n;
}

/** The full campaign by default; CHAOS_SHORT=1 gives the CI form (≈300 tasks, every fault once). */
export function chaosOptions(env: NodeJS.ProcessEnv = process.env): ChaosOptions {
  const short = env.CHAOS_SHORT === '1';
  const faults = (env.CHAOS_FAULTS ?? FAULT_KINDS.join(',')).split(',').filter(Boolean);
  for (const f of faults)
    if (!(FAULT_KINDS as readonly string[]).includes(f))
      throw new Error(`CHAOS_FAULTS: unknown fault "${f}" (known: ${FAULT_KINDS.join(', ')})`);
  return {
    tasks: int(env, 'CHAOS_TASKS', short ? 300 : 1500, 1),
    rate: int(env, 'CHAOS_RATE', short ? 5 : 60, 1),
    workflowRuns: int(env, 'CHAOS_WORKFLOW_RUNS', short ? 5 : 15, 0),
    registries: int(env, 'CHAOS_REGISTRIES', 2, 1),
    orchestrators: int(env, 'CHAOS_ORCHESTRATORS', 2, 1),
    hosts: int(env, 'CHAOS_HOSTS', 3, 2),
    scriptedLatencyMs: int(env, 'CHAOS_SCRIPTED_LATENCY_MS', 100, 0),
    faults: faults as FaultKind[],
    restartAfterMs: int(env, 'CHAOS_RESTART_AFTER_MS', 2_000, 0),
    postgresOutageMs: int(env, 'CHAOS_POSTGRES_OUTAGE_MS', 5_000, 0),
    settleSeconds: int(env, 'CHAOS_SETTLE_SECONDS', short ? 90 : 300, 1),
    taskTimeoutSeconds: int(env, 'CHAOS_TASK_TIMEOUT_SECONDS', 60, 1),
  };
}
