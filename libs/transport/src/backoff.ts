export interface RetryBackoff {
  /** Delay before the 2nd attempt. */
  initialMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  factor: number;
  /** Spread retries of a burst of failures (full jitter over the upper half). */
  jitter: boolean;
}

export const DEFAULT_BACKOFF: RetryBackoff = { initialMs: 200, maxMs: 30_000, factor: 2, jitter: true };

/** Delay before retrying after `attempt` (1-based) failed. */
export function backoffDelay(attempt: number, backoff: RetryBackoff, random: () => number = Math.random): number {
  const exp = backoff.initialMs * Math.pow(backoff.factor, Math.max(0, attempt - 1));
  const capped = Math.min(backoff.maxMs, exp);
  if (!backoff.jitter) return Math.round(capped);
  return Math.round(capped / 2 + (random() * capped) / 2);
}
