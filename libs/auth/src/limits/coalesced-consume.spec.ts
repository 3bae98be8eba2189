import { RateLimiterRes } from 'rate-limiter-flexible';
import { CoalescedConsume } from './coalesced-consume';

/** A limiter of `points` per window in memory, recording each call (what Redis would count). */
function fakeLimiter(points: number) {
  const used = new Map<string, number>();
  const calls: [string, number][] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  return {
    calls,
    hold() {
      gate = new Promise<void>((r) => (release = r));
    },
    open() {
      release?.();
      gate = undefined;
    },
    consume: async (key: string, n: number) => {
      calls.push([key, n]);
      if (gate) await gate;
      const total = (used.get(key) ?? 0) + n;
      used.set(key, total);
      // rate-limiter-flexible rejects with a RateLimiterRes, not an Error: the fake does what it does.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (total > points) throw new RateLimiterRes(0, 30_000, total);
      return new RateLimiterRes(points - total, 60_000, total);
    },
  };
}

describe('CoalescedConsume', () => {
  it('counts concurrent requests of one credential in one call, and each request once', async () => {
    const limiter = fakeLimiter(100);
    const c = new CoalescedConsume(limiter.consume, 100, () => undefined);
    limiter.hold();
    const first = c.take('k');
    const rest = Array.from({ length: 5 }, () => c.take('k'));
    const other = c.take('other');
    limiter.open();
    expect(await Promise.all([first, ...rest, other])).toEqual(Array(7).fill(undefined));
    expect(limiter.calls).toEqual([
      ['k', 1],
      ['other', 1],
      ['k', 5],
    ]);
  });

  it('a joint call over the limit lets through what still fits, in arrival order, and refuses the rest', async () => {
    const limiter = fakeLimiter(3);
    const c = new CoalescedConsume(limiter.consume, 3, () => undefined);
    limiter.hold();
    const first = c.take('k');
    const rest = Array.from({ length: 4 }, () => c.take('k'));
    limiter.open();
    expect(await Promise.all([first, ...rest])).toEqual([undefined, undefined, undefined, 30, 30]);
    expect(await c.take('k')).toBe(30);
  });

  it('with a large budget, reserves 1% ahead and hands it out without a call until used up', async () => {
    const limiter = fakeLimiter(1000);
    const c = new CoalescedConsume(limiter.consume, 1000, () => undefined);
    for (let i = 0; i < 21; i++) expect(await c.take('k')).toBeUndefined();
    expect(limiter.calls).toEqual([
      ['k', 10],
      ['k', 10],
      ['k', 10],
    ]);
  });

  it('serves requests that queued during a call from its reservation, not from a new call (many connections)', async () => {
    const limiter = fakeLimiter(100_000); // 1% = 1,000 reserved per call
    // Each call takes a round trip (a macrotask), so requests keep arriving while one is in flight.
    const slow = async (key: string, n: number) => {
      await new Promise((r) => setImmediate(r));
      return limiter.consume(key, n);
    };
    const c = new CoalescedConsume(slow, 100_000, () => undefined);
    const results: Promise<number | undefined>[] = [];
    // 20 connections: 20 requests arrive while each call is in flight, 250 times over.
    for (let wave = 0; wave < 250; wave++) {
      for (let i = 0; i < 20; i++) results.push(Promise.resolve(c.take('k')));
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(results)).toEqual(Array(5_000).fill(undefined));
    const counted = limiter.calls.reduce((n, [, points]) => n + points, 0);
    // 5,000 requests cost about 5 reservations; a reservation dropped per call counted ~1,000 for every 20.
    expect(counted).toBeLessThan(5_000 + 2 * 1_000);
    expect(limiter.calls.length).toBeLessThanOrEqual(7);
  });

  it('a reservation never lets more than the budget through', async () => {
    const limiter = fakeLimiter(250);
    const c = new CoalescedConsume(limiter.consume, 250, () => undefined);
    const results = [];
    for (let i = 0; i < 300; i++) results.push(await c.take('k'));
    expect(results.filter((r) => r === undefined).length).toBeLessThanOrEqual(250);
    expect(results.filter((r) => r === undefined).length).toBeGreaterThanOrEqual(250 - 1);
    expect(results.at(-1)).toBe(30);
  });

  it('allows (and reports) when the limiter itself fails', async () => {
    const errors: unknown[] = [];
    const c = new CoalescedConsume(
      () => Promise.reject(new Error('redis down')),
      3,
      (e) => errors.push(e),
    );
    expect(await Promise.all([c.take('k'), c.take('k')])).toEqual([undefined, undefined]);
    expect(errors).toHaveLength(2);
  });
});
