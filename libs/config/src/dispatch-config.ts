import { EnvOf, int } from './env-schema';

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

export const DISPATCH_ENV = {
  ORCHESTRATOR_QUEUE_TIMEOUT_SECONDS: int('Accepted → started: a task not started by then fails with the reason.', {
    minimum: 1,
    maximum: 7 * 86_400,
    default: 3600,
  }),
  ORCHESTRATOR_START_TIMEOUT_SECONDS: int("An attempt on an agent's stream not started by then is superseded.", {
    minimum: 1,
    maximum: 86_400,
    default: 60,
  }),
  ORCHESTRATOR_ROUTE_BACKOFF_MAX_MS: int('Longest wait before a task nobody can serve is routed again.', {
    minimum: 100,
    maximum: 600_000,
    default: 5000,
  }),
  ORCHESTRATOR_SLOT_LEASE_GRACE_SECONDS: int("A slot lease outlives its attempt's deadline by this much.", {
    minimum: 1,
    maximum: 3600,
    default: 30,
  }),
} as const;

export function dispatchConfig(env: EnvOf<typeof DISPATCH_ENV>): DispatchConfig {
  return {
    queueTimeoutSeconds: env.ORCHESTRATOR_QUEUE_TIMEOUT_SECONDS,
    startTimeoutSeconds: env.ORCHESTRATOR_START_TIMEOUT_SECONDS,
    routeBackoffMaxMs: env.ORCHESTRATOR_ROUTE_BACKOFF_MAX_MS,
    slotLeaseGraceSeconds: env.ORCHESTRATOR_SLOT_LEASE_GRACE_SECONDS,
  };
}
