import { createEnvelope } from '../envelope';
import { RetryScheduler } from './retry-scheduler';
import { FakeRedis, metrics, testLane, testLog } from './testing/fake-redis';

const backoff = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: false };

function setup() {
  const redis = new FakeRedis();
  const { log, lines } = testLog();
  const retries = new RetryScheduler(redis.connection(), backoff, metrics, log);
  const lane = testLane({ held: new Set(['1-0']) });
  const envelope = createEnvelope({ from_agent: 'ORCH', to_agent: 'DEV-001', message_type: 'task.run', payload: 1 });
  return { redis, retries, lane, envelope, lines };
}

describe('RetryScheduler', () => {
  afterEach(() => jest.useRealTimers());

  it('after the backoff of the failed attempt, requeues attempt + 1 and acks the original in one MULTI', async () => {
    jest.useFakeTimers();
    const t = setup();
    t.retries.schedule(t.lane, '1-0', t.envelope, 2);
    expect(t.lane.retries.has('1-0')).toBe(true);
    await jest.advanceTimersByTimeAsync(199); // attempt 2 failed: 100 * 2^1 ms
    expect(t.redis.commands).toEqual([]);
    expect(t.lane.held.has('1-0')).toBe(true); // still owned (lease renewed) while waiting
    await jest.advanceTimersByTimeAsync(1);
    expect(t.redis.commands).toHaveLength(1);
    const [kind, queued] = t.redis.commands[0] as [string, unknown[][]];
    expect(kind).toBe('multi');
    expect(queued[0].slice(0, 3)).toEqual(['xadd', 'ea:{DEV-001}:stream', '*']);
    expect(queued[0][3]).toBe('envelope');
    expect(JSON.parse(queued[0][4] as string)).toEqual({ ...t.envelope, attempt: 3 });
    expect(queued[1]).toEqual(['xack', 'ea:{DEV-001}:stream', 'workers', '1-0']);
    expect(t.lane.retries.size).toBe(0);
    expect(t.lane.held.has('1-0')).toBe(false);
  });

  it('on a failed requeue leaves the entry pending but no longer held, so it is reclaimed', async () => {
    jest.useFakeTimers();
    const t = setup();
    t.redis.fail.set('multi', new Error('Connection is closed'));
    t.retries.schedule(t.lane, '1-0', t.envelope, 1);
    await jest.advanceTimersByTimeAsync(100);
    expect(t.lane.held.has('1-0')).toBe(false);
    expect(t.lines).toEqual(['retry of 1-0: Connection is closed']);
  });

  it('requeues every waiting retry at once when draining, without waiting for the backoff', async () => {
    const t = setup();
    t.lane.held.add('2-0');
    t.retries.schedule(t.lane, '1-0', t.envelope, 5);
    t.retries.schedule(t.lane, '2-0', { ...t.envelope, id: 'other' }, 5);
    await t.retries.requeueNow(t.lane);
    expect(t.redis.sent('xack').map((a) => a[2])).toEqual(['1-0', '2-0']);
    expect(t.lane.retries.size).toBe(0);
    expect(t.lane.held.size).toBe(0);
  });

  it('drops waiting retries on abort: nothing is written, the entries stay pending', async () => {
    jest.useFakeTimers();
    const t = setup();
    t.retries.schedule(t.lane, '1-0', t.envelope, 1);
    t.retries.cancel(t.lane);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(t.redis.commands).toEqual([]);
    expect(t.lane.retries.size).toBe(0);
  });
});
