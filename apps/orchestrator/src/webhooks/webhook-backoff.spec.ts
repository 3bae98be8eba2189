import { afterFailure, retryDelayMs } from './webhook-backoff';

describe('webhook retry backoff', () => {
  it('doubles per attempt between half and the whole step, and stops growing at the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, 60_000, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, 60_000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(retryDelayMs(10_000, 1000, 60_000, () => 0)).toBe(30_000);
  });

  it('jitter spreads the delays of one step', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, 1000, 60_000)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d >= 2000 && d <= 4000).toBe(true);
  });

  it('retries inside the window and is dead once the next try would fall outside it', () => {
    const now = 1_000_000;
    expect(afterFailure(1, now, now + 10_000, 1000, 60_000, () => 1)).toEqual({ kind: 'retry', at: now + 1000 });
    expect(afterFailure(4, now, now + 10_000, 1000, 60_000, () => 1)).toEqual({ kind: 'retry', at: now + 8000 });
    expect(afterFailure(5, now, now + 10_000, 1000, 60_000, () => 1)).toEqual({ kind: 'dead' });
    expect(afterFailure(1, now, now - 1, 1000, 60_000, () => 0)).toEqual({ kind: 'dead' });
  });
});
