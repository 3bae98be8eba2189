import { EnvOf, int } from './env-schema';

/** Limits of the host's model (provider + MODEL_NAME), shared by every agent host through Redis. 0 = no limit. */
export interface ModelLimitsConfig {
  /** MODEL_RPM: model calls per minute across all hosts. */
  rpm: number;
  /** MODEL_TPM: tokens (input + output) per minute across all hosts. */
  tpm: number;
  /** MODEL_MAX_CONCURRENT: model calls in flight at once across all hosts. */
  maxConcurrent: number;
  /** MODEL_LIMIT_MAX_WAIT_MS: longest a call waits for the limits before it fails `model_rate_limited`. */
  maxWaitMs: number;
  /** SCRIPTED_RPM: the scripted provider answers 429 beyond this many calls a minute (all hosts together). */
  scriptedRpm: number;
}

export const MODEL_LIMITS_ENV = {
  MODEL_RPM: int('Model calls per minute across all agent hosts (0 = no limit).', {
    minimum: 0,
    maximum: 1_000_000,
    default: 0,
  }),
  MODEL_TPM: int('Tokens (input + output) per minute across all agent hosts (0 = no limit).', {
    minimum: 0,
    maximum: 1_000_000_000,
    default: 0,
  }),
  MODEL_MAX_CONCURRENT: int('Model calls in flight at once across all agent hosts (0 = no limit).', {
    minimum: 0,
    maximum: 100_000,
    default: 0,
  }),
  MODEL_LIMIT_MAX_WAIT_MS: int('Longest a call waits for the limits before it fails `model_rate_limited`.', {
    minimum: 0,
    maximum: 3_600_000,
    default: 120_000,
  }),
  SCRIPTED_RPM: int('The scripted provider answers 429 beyond this many calls a minute, all hosts together.', {
    minimum: 0,
    maximum: 1_000_000,
    default: 0,
  }),
} as const;

export function modelLimitsConfig(env: EnvOf<typeof MODEL_LIMITS_ENV>): ModelLimitsConfig {
  return {
    rpm: env.MODEL_RPM,
    tpm: env.MODEL_TPM,
    maxConcurrent: env.MODEL_MAX_CONCURRENT,
    maxWaitMs: env.MODEL_LIMIT_MAX_WAIT_MS,
    scriptedRpm: env.SCRIPTED_RPM,
  };
}
