import type Redis from 'ioredis';
import { loadConfig } from '@app/config';
import { ACQUIRE_SCRIPT, EXTEND_SCRIPT } from './slot-lease-scripts';
import { leaseId, SlotLeases } from './slot-leases.service';

/** The few commands SlotLeases sends; the Lua scripts themselves run against Redis in the e2e suites. */
function fakeRedis(answers: { acquire?: number[]; extend?: number } = {}) {
  const calls: unknown[][] = [];
  const redis = {
    defineCommand: jest.fn((name: string) => {
      const reply = name === 'eaSlotAcquire' ? answers.acquire : answers.extend;
      Object.assign(redis, {
        [name]: (...args: unknown[]) => {
          calls.push([name, ...args]);
          return Promise.resolve(reply);
        },
      });
    }),
    zrem: (...args: unknown[]) => {
      calls.push(['zrem', ...args]);
      return Promise.resolve(1);
    },
    zrangebyscore: (...args: unknown[]) => {
      calls.push(['zrangebyscore', ...args]);
      return Promise.resolve(['t1:1']);
    },
  };
  return {
    redis,
    calls,
    leases: () => new SlotLeases(loadConfig({ TRANSPORT_KEY_PREFIX: 'ea' }), redis as unknown as Redis),
  };
}

afterEach(() => jest.restoreAllMocks());

describe('SlotLeases', () => {
  it('names a lease by task and attempt', () => {
    expect(leaseId('t1', 2)).toBe('t1:2');
  });

  it('acquires with the agent’s lease and capacity keys, a whole positive ttl and a non-negative fallback capacity', async () => {
    const { calls, leases } = fakeRedis({ acquire: [1, 3, 4] });
    expect(await leases().acquire('DEV-001', 't1:1', 0.4, -2)).toEqual({ granted: true, used: 3, capacity: 4 });
    expect(calls).toEqual([['eaSlotAcquire', 'ea:slots:{DEV-001}', 'ea:capacity:{DEV-001}', 't1:1', 1, 0]]);
  });

  it('reports a refused lease with the counts Redis answered', async () => {
    const { leases } = fakeRedis({ acquire: [0, 2, 2] });
    expect(await leases().acquire('DEV-001', 't1:1', 60_000, 2)).toEqual({ granted: false, used: 2, capacity: 2 });
  });

  it('extends only a lease that was held', async () => {
    expect(await fakeRedis({ extend: 1 }).leases().extend('DEV-001', 't1:1', 1500.6)).toBe(true);
    const missing = fakeRedis({ extend: 0 });
    expect(await missing.leases().extend('DEV-001', 't1:1', 1500.6)).toBe(false);
    expect(missing.calls).toEqual([['eaSlotExtend', 'ea:slots:{DEV-001}', 't1:1', 1501]]);
  });

  it('releases by removing the lease, and counts as held only leases not yet expired', async () => {
    const { calls, leases } = fakeRedis();
    const slots = leases();
    jest.spyOn(Date, 'now').mockReturnValue(5_000);
    await slots.release('DEV-001', 't1:1');
    expect(await slots.held('DEV-001')).toEqual(['t1:1']);
    expect(calls).toEqual([
      ['zrem', 'ea:slots:{DEV-001}', 't1:1'],
      ['zrangebyscore', 'ea:slots:{DEV-001}', '(5000', '+inf'],
    ]);
  });

  it('defines its scripts once per connection (several instances share one client)', () => {
    const { redis, leases } = fakeRedis();
    leases();
    leases();
    expect(redis.defineCommand.mock.calls).toEqual([
      ['eaSlotAcquire', { numberOfKeys: 2, lua: ACQUIRE_SCRIPT }],
      ['eaSlotExtend', { numberOfKeys: 1, lua: EXTEND_SCRIPT }],
    ]);
  });
});
