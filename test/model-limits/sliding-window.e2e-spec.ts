import Redis from 'ioredis';
import { SlidingWindow } from '../../apps/agent-host/src/model-limits/sliding-window';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/http-app';
import { TEST_REDIS_URL } from '../support/test-env';

/** The shared window against a real Redis: what it admits, what it makes wait and for how long. */
describe('SlidingWindow (Redis)', () => {
  const prefix = uniqueRedisPrefix('limits');
  const redis = new Redis(TEST_REDIS_URL);
  const none = { rpm: 0, tpm: 0, maxConcurrent: 0 };

  afterAll(async () => {
    await deleteRedisKeys(prefix);
    await redis.quit();
  });

  it('admits rpm calls a window, then answers how long until the oldest leaves it', async () => {
    const w = new SlidingWindow(redis, `${prefix}rpm`, 2_000);
    for (let i = 0; i < 3; i++) expect(await w.tryAcquire({ ...none, rpm: 3 }, 0, `c${i}`, 0)).toBe(0);
    const wait = await w.tryAcquire({ ...none, rpm: 3 }, 0, 'c3', 0);
    expect(wait).toBeGreaterThan(1_500);
    expect(wait).toBeLessThanOrEqual(2_001);
    await new Promise((r) => setTimeout(r, wait));
    expect(await w.tryAcquire({ ...none, rpm: 3 }, 0, 'c3', 0)).toBe(0);
  });

  it('counts tokens with corrections, and leases of calls in flight', async () => {
    const w = new SlidingWindow(redis, `${prefix}tpm`, 60_000);
    expect(await w.tryAcquire({ ...none, tpm: 100 }, 60, 'a', 0)).toBe(0);
    expect(await w.tryAcquire({ ...none, tpm: 100 }, 60, 'b', 0)).toBeGreaterThan(0);
    await w.correctTokens('a', -30); // a used 30, not 60
    expect(await w.tryAcquire({ ...none, tpm: 100 }, 60, 'b', 0)).toBe(0);

    const c = new SlidingWindow(redis, `${prefix}conc`, 60_000);
    expect(await c.tryAcquire({ ...none, maxConcurrent: 1 }, 0, 'x', 10_000)).toBe(0);
    expect(await c.tryAcquire({ ...none, maxConcurrent: 1 }, 0, 'y', 10_000)).toBeGreaterThan(0);
    await c.release('x');
    expect(await c.tryAcquire({ ...none, maxConcurrent: 1 }, 0, 'y', 10_000)).toBe(0);
  });

  it('a provider 429 retry-after holds every caller back, and a shorter one never shortens it', async () => {
    const w = new SlidingWindow(redis, `${prefix}blocked`, 60_000);
    await w.block(1_500);
    await w.block(100);
    const wait = await w.tryAcquire(none, 0, 'z', 0);
    expect(wait).toBeGreaterThan(1_000);
    expect(wait).toBeLessThanOrEqual(1_500);
  });
});
