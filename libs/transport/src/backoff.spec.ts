import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: false };

  it('grows exponentially from the initial delay and is capped', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitters within the upper half of the delay', () => {
    expect(backoffDelay(3, { ...policy, jitter: true }, () => 0)).toBe(200);
    expect(backoffDelay(3, { ...policy, jitter: true }, () => 1)).toBe(400);
  });
});
