/**
 * Delay before retry number `attempt` (1 = after the first failure): base × 2^(attempt−1), capped,
 * with "equal jitter" (half fixed, half random) so receivers that come back are not hit by every
 * replica's retries in the same instant, yet no retry comes sooner than half its step.
 */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(step / 2 + random() * (step / 2));
}

/** What a failed attempt leads to: another try at `at`, or dead when that would be past the retry window. */
export function afterFailure(
  attempt: number,
  now: number,
  retryUntil: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): { kind: 'retry'; at: number } | { kind: 'dead' } {
  const at = now + retryDelayMs(attempt, baseMs, maxMs, random);
  return at > retryUntil ? { kind: 'dead' } : { kind: 'retry', at };
}
