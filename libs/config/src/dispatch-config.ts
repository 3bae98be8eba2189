import { EnvReader } from './env-reader';

/** Capacity-aware dispatch and the timeout model (docs/decisions/0080, 0081). */
export interface DispatchConfig {
  /** ORCHESTRATOR_QUEUE_TIMEOUT_SECONDS: accepted → started; a task not started by then fails with the reason. */
  queueTimeoutSeconds: number;
  /** ORCHESTRATOR_START_TIMEOUT_SECONDS: an attempt on an agent's stream not started by then is superseded. */
  startTimeoutSeconds: number;
  /** ORCHESTRATOR_ROUTE_BACKOFF_MAX_MS: longest wait before a task nobody can serve is routed again. */
  routeBackoffMaxMs: number;
  /** ORCHESTRATOR_SLOT_LEASE_GRACE_SECONDS: a slot lease outlives its attempt's deadline by this much (crash safety). */
  slotLeaseGraceSeconds: number;
}

export function dispatchConfig(env: EnvReader): DispatchConfig {
  return {
    queueTimeoutSeconds: env.int('ORCHESTRATOR_QUEUE_TIMEOUT_SECONDS', 3600, 1, 7 * 86_400),
    startTimeoutSeconds: env.int('ORCHESTRATOR_START_TIMEOUT_SECONDS', 60, 1, 86_400),
    routeBackoffMaxMs: env.int('ORCHESTRATOR_ROUTE_BACKOFF_MAX_MS', 5000, 100, 600_000),
    slotLeaseGraceSeconds: env.int('ORCHESTRATOR_SLOT_LEASE_GRACE_SECONDS', 30, 1, 3600),
  };
}
