import { hostname } from 'node:os';
import type { OrchestratorConfig } from './app-config';
import { bool, EnvOf, int, NAME_EXPECTED, NAME_PATTERN, oneOf, text } from './env-schema';

/** ORCHESTRATOR_*: group commit, discovery cache, dispatch/deadline loops, task defaults, schedules, retention. */
export const ORCHESTRATOR_ENV = {
  ORCHESTRATOR_GROUP_COMMIT_MS: int('Longest a state change waits to share a commit with others.', {
    minimum: 0,
    maximum: 1000,
    default: 2,
  }),
  ORCHESTRATOR_GROUP_COMMIT_MAX_BATCH: int('Most state changes written by one commit.', {
    minimum: 1,
    maximum: 10_000,
    default: 1000,
  }),
  ORCHESTRATOR_GROUP_COMMIT_LANES: int("Parallel group-commit transactions (a task's changes always share one).", {
    minimum: 1,
    maximum: 64,
    default: 4,
  }),
  ORCHESTRATOR_DISCOVERY_CACHE_MS: int('How long a registry discovery answer is reused.', {
    minimum: 0,
    maximum: 60_000,
    default: 1000,
  }),
  ORCHESTRATOR_DISPATCH_SCAN_MS: int('How often the database is scanned for undispatched tasks.', {
    minimum: 50,
    maximum: 60_000,
    default: 1000,
  }),
  ORCHESTRATOR_DEADLINE_SWEEP_MS: int('How often overdue attempts are looked for.', {
    minimum: 50,
    maximum: 60_000,
    default: 1000,
  }),
  ORCHESTRATOR_TASK_TIMEOUT_SECONDS: int("A task's deadline per attempt when the request names none.", {
    minimum: 1,
    maximum: 86_400,
    default: 300,
  }),
  ORCHESTRATOR_MAX_ATTEMPTS: int('Attempts of a task when the request names none.', {
    minimum: 1,
    maximum: 20,
    default: 3,
  }),
  ORCHESTRATOR_WORKFLOWS_DIR: text('Folder of workflow definition files (*.json), validated at start-up.', {
    default: 'apps/orchestrator/workflows',
  }),
  ORCHESTRATOR_NEST_REDIS_TRANSPORT: bool(
    "Also serve OrchestratorPatterns over Nest's built-in Redis transport.",
    false,
  ),
  ORCHESTRATOR_RESULTS_CONCURRENCY: int('Result messages handled at once (they share commits).', {
    minimum: 1,
    maximum: 10_000,
    default: 256,
  }),
  ORCHESTRATOR_INSTANCE_ID: text(
    "This replica's transport consumer name, stable across restarts (default orchestrator-<hostname>).",
    { pattern: NAME_PATTERN, expected: NAME_EXPECTED },
  ),
  ORCHESTRATOR_SCHEDULER_TICK_MS: int('How often each replica looks for due schedule fires.', {
    minimum: 50,
    maximum: 60_000,
    default: 500,
  }),
  ORCHESTRATOR_SCHEDULE_LATE_TOLERANCE_MS: int('A fire found at most this late still counts as on time.', {
    minimum: 0,
    maximum: 3_600_000,
    default: 5_000,
  }),
  ORCHESTRATOR_RETENTION_DAYS: int('Finished history older than this many days is removed; 0 keeps everything.', {
    minimum: 0,
    maximum: 36_500,
    default: 30,
  }),
  ORCHESTRATOR_RETENTION_MODE: oneOf('`delete`, or `archive` before deleting.', ['delete', 'archive'], 'delete'),
  ORCHESTRATOR_RETENTION_BATCH: int('Rows removed per retention statement.', {
    minimum: 1,
    maximum: 10_000,
    default: 500,
  }),
  ORCHESTRATOR_RETENTION_INTERVAL_MS: int('How often retention runs.', {
    minimum: 1_000,
    maximum: 86_400_000,
    default: 600_000,
  }),
} as const;

export function orchestratorConfig(env: EnvOf<typeof ORCHESTRATOR_ENV>): OrchestratorConfig {
  return {
    groupCommitMs: env.ORCHESTRATOR_GROUP_COMMIT_MS,
    groupCommitMaxBatch: env.ORCHESTRATOR_GROUP_COMMIT_MAX_BATCH,
    groupCommitLanes: env.ORCHESTRATOR_GROUP_COMMIT_LANES,
    discoveryCacheMs: env.ORCHESTRATOR_DISCOVERY_CACHE_MS,
    dispatchScanMs: env.ORCHESTRATOR_DISPATCH_SCAN_MS,
    deadlineSweepMs: env.ORCHESTRATOR_DEADLINE_SWEEP_MS,
    taskTimeoutSeconds: env.ORCHESTRATOR_TASK_TIMEOUT_SECONDS,
    maxAttempts: env.ORCHESTRATOR_MAX_ATTEMPTS,
    workflowsDir: env.ORCHESTRATOR_WORKFLOWS_DIR,
    nestRedisTransport: env.ORCHESTRATOR_NEST_REDIS_TRANSPORT,
    resultsConcurrency: env.ORCHESTRATOR_RESULTS_CONCURRENCY,
    instanceId:
      env.ORCHESTRATOR_INSTANCE_ID ?? `orchestrator-${hostname()}`.replace(/[^A-Za-z0-9_.:-]/g, '-').slice(0, 64),
    schedulerTickMs: env.ORCHESTRATOR_SCHEDULER_TICK_MS,
    scheduleLateToleranceMs: env.ORCHESTRATOR_SCHEDULE_LATE_TOLERANCE_MS,
    retentionDays: env.ORCHESTRATOR_RETENTION_DAYS,
    retentionMode: env.ORCHESTRATOR_RETENTION_MODE,
    retentionBatch: env.ORCHESTRATOR_RETENTION_BATCH,
    retentionIntervalMs: env.ORCHESTRATOR_RETENTION_INTERVAL_MS,
  };
}
