import { broadcastGroup } from '../keys';
import { StreamMaintenance } from './stream-maintenance';
import { FakeRedis, metrics, testLane, testLog, testOptions } from './testing/fake-redis';

/** XINFO GROUPS / CONSUMERS rows as Redis sends them: flat [field, value, ...] arrays. */
const row = (fields: Record<string, string | number>) => Object.entries(fields).flat();

function setup(overrides: Parameters<typeof testOptions>[0] = {}) {
  const redis = new FakeRedis();
  const { log, lines } = testLog();
  const options = testOptions({ trim: { maxLength: 100 }, broadcastGroupTtlMs: 60_000, ...overrides });
  const maintenance = new StreamMaintenance(redis.connection(), options, metrics, log);
  redis.replies.set('xlen', () => 0);
  redis.replies.set('xinfo', () => []);
  return { redis, maintenance, lines };
}

describe('StreamMaintenance', () => {
  it('renews the lease of every entry a lane holds, and skips lanes holding none', async () => {
    const t = setup();
    const busy = testLane({ held: new Set(['1-0', '2-0']) });
    const idle = testLane({ address: 'DEV-002', key: 'ea:{DEV-002}:stream' });
    await t.maintenance.renewLeases([idle, busy]);
    expect(t.redis.commands).toEqual([['xclaim', 'ea:{DEV-001}:stream', 'workers', 'c1', 0, '1-0', '2-0', 'JUSTID']]);
  });

  it('trims a long stream only below what every group has acknowledged', async () => {
    const t = setup();
    t.redis.replies.set('xlen', (key) => (key === 'ea:{DEV-001}:stream' ? 150 : 0));
    t.redis.replies.set('xinfo', (what) =>
      what === 'GROUPS'
        ? [
            row({ name: 'workers', consumers: 2, pending: 3, 'last-delivered-id': '90-0' }),
            row({ name: 'audit', consumers: 1, pending: 0, 'last-delivered-id': '70-4' }),
          ]
        : [],
    );
    t.redis.replies.set('xpending', () => [3, '80-0', '90-0', [['c1', '3']]]);
    await t.maintenance.maintain([testLane()]);
    // workers still owes 80-0; audit has read up to 70-4, so 70-5 is the oldest entry anyone needs.
    expect(t.redis.sent('xtrim')).toContainEqual(['ea:{DEV-001}:stream', 'MINID', '70-5']);
    expect(t.redis.sent('xpending')).toEqual([['ea:{DEV-001}:stream', 'workers']]);
  });

  it('leaves a stream within its length bound untrimmed (the dead-letter stream is still bounded)', async () => {
    const t = setup();
    t.redis.replies.set('xlen', () => 100);
    t.redis.replies.set('xinfo', (what) =>
      what === 'GROUPS' ? [row({ name: 'workers', consumers: 1, pending: 0, 'last-delivered-id': '9-0' })] : [],
    );
    await t.maintenance.maintain([testLane()]);
    expect(t.redis.sent('xtrim').map((a) => a[0])).toEqual(['ea:{DEV-001}:dlq', 'ea:{DEV-001}:dlq']);
  });

  it('drops broadcast groups of instances idle past the TTL, never its own or a live one', async () => {
    const t = setup({ trim: false });
    const lane = testLane({ address: 'ALL', key: 'ea:{ALL}:stream', group: broadcastGroup('c1') });
    const groups = ['c1', 'gone', 'alive'].map((c) =>
      row({ name: broadcastGroup(c), consumers: 1, pending: 0, 'last-delivered-id': '0-0' }),
    );
    groups.push(row({ name: 'workers', consumers: 1, pending: 0, 'last-delivered-id': '0-0' }));
    t.redis.replies.set('xinfo', (what, _key, group) => {
      if (what === 'GROUPS') return groups;
      if (group === broadcastGroup('gone')) return [row({ name: 'gone', pending: 0, idle: 61_000 })];
      return [row({ name: String(group), pending: 0, idle: 1_000 })];
    });
    await t.maintenance.maintain([lane]);
    expect(t.redis.sent('xgroup')).toEqual([['DESTROY', 'ea:{ALL}:stream', 'broadcast:gone']]);
    expect(t.redis.sent('xinfo').map((a) => a[2])).toEqual([undefined, 'broadcast:gone', 'broadcast:alive']);
  });

  it('goes on with the next lane when one fails', async () => {
    const t = setup({ trim: false });
    t.redis.replies.set('xinfo', (what, key) => {
      if (key === 'ea:{DEV-001}:stream') throw new Error('NOPERM');
      return what === 'GROUPS' ? [row({ name: 'workers', consumers: 0, pending: 4, 'last-delivered-id': '0-0' })] : [];
    });
    const second = testLane({ address: 'DEV-002', key: 'ea:{DEV-002}:stream', dlqKey: 'ea:{DEV-002}:dlq' });
    await t.maintenance.maintain([testLane(), second]);
    expect(t.redis.sent('xtrim').map((a) => a[0])).toEqual(['ea:{DEV-002}:dlq', 'ea:{DEV-002}:dlq']);
    expect(t.lines).toEqual(['maintenance of DEV-001: NOPERM']);
  });
});
