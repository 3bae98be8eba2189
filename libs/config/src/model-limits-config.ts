import { EnvReader } from './env-reader';

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

export function modelLimitsConfig(env: EnvReader): ModelLimitsConfig {
  return {
    rpm: env.int('MODEL_RPM', 0, 0, 1_000_000),
    tpm: env.int('MODEL_TPM', 0, 0, 1_000_000_000),
    maxConcurrent: env.int('MODEL_MAX_CONCURRENT', 0, 0, 100_000),
    maxWaitMs: env.int('MODEL_LIMIT_MAX_WAIT_MS', 120_000, 0, 3_600_000),
    scriptedRpm: env.int('SCRIPTED_RPM', 0, 0, 1_000_000),
  };
}
