import Redis from 'ioredis';
import { slotCapacityKey } from '@app/contracts';
import { leaseId, SlotLeases } from '../../apps/orchestrator/src/capacity/slot-leases.service';
import { deleteRedisKeys, testConfig, uniqueRedisPrefix } from '../support/http-app';
import { TEST_REDIS_URL } from '../support/test-env';
import { waitFor } from './support/system';

/** Slot leases against the real Redis: two SlotLeases on two connections stand for two orchestrator replicas. */
describe('slot leases (real Redis, two replicas)', () => {
  const prefix = uniqueRedisPrefix('slots').replace(/:$/, '');
  const config = testConfig({ TRANSPORT_KEY_PREFIX: prefix });
  const clients: Redis[] = [];
  let a: SlotLeases;
  let b: SlotLeases;

  beforeAll(() => {
    clients.push(new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL));
    a = new SlotLeases(config, clients[0]);
    b = new SlotLeases(config, clients[1]);
  });

  afterAll(async () => {
    await deleteRedisKeys(prefix);
    for (const c of clients) await c.quit();
  });

  /** A host's report, as SlotCapacityReporter writes it (expiry on Redis's clock). */
  async function report(agentId: string, host: string, max: number, ttlMs: number): Promise<void> {
    const [s, us] = await clients[0].time();
    const now = Number(s) * 1000 + Math.floor(Number(us) / 1000);
    await clients[0].hset(slotCapacityKey(prefix, agentId), host, `${max}:${now + ttlMs}`);
  }

  it('never grants more leases than slots, whichever replica asks, all at once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).acquire('DEV-101', leaseId(`t${i}`, 1), 60_000, 3)),
    );
    expect(answers.filter((x) => x.granted)).toHaveLength(3);
    expect(Math.max(...answers.map((x) => x.used))).toBe(3);
    expect(await a.held('DEV-101')).toHaveLength(3);
  });

  it('frees a slot on release and renews (not doubles) a lease asked for twice', async () => {
    const held = await a.held('DEV-101');
    expect((await b.acquire('DEV-101', held[0], 60_000, 3)).granted).toBe(true);
    expect(await a.held('DEV-101')).toHaveLength(3);
    expect((await b.acquire('DEV-101', 'other:1', 60_000, 3)).granted).toBe(false);
    await a.release('DEV-101', held[1]);
    expect((await b.acquire('DEV-101', 'other:1', 60_000, 3)).granted).toBe(true);
    expect(await b.held('DEV-101')).toHaveLength(3);
  });

  it('lets the leases of a crashed replica expire on their own', async () => {
    expect((await a.acquire('DEV-102', 'crash:1', 300, 1)).granted).toBe(true);
    expect((await b.acquire('DEV-102', 'next:1', 60_000, 1)).granted).toBe(false);
    await waitFor('the lease to expire', async () => (await b.acquire('DEV-102', 'next:1', 60_000, 1)).granted, 5_000);
  });

  it('extends only a lease that is held', async () => {
    expect((await a.acquire('DEV-103', 'x:1', 200, 1)).granted).toBe(true);
    expect(await a.extend('DEV-103', 'x:1', 60_000)).toBe(true);
    expect(await a.extend('DEV-103', 'never:1', 60_000)).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    expect(await a.held('DEV-103')).toEqual(['x:1']);
  });

  it('adds up the slots hosts report for a replicated agent, and forgets a host whose report expired', async () => {
    await report('DEV-104', 'host-a', 3, 60_000);
    await report('DEV-104', 'host-b', 2, 400);
    const first = await Promise.all(Array.from({ length: 8 }, (_, i) => a.acquire('DEV-104', `r${i}:1`, 60_000, 1)));
    // The registry's figure (1) is only the fallback: the hosts offer 3 + 2.
    expect(first.filter((x) => x.granted)).toHaveLength(5);
    expect(first[0].capacity).toBe(5);
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < 5; i++) await a.release('DEV-104', `r${i}:1`);
    const later = await Promise.all(Array.from({ length: 8 }, (_, i) => b.acquire('DEV-104', `s${i}:1`, 60_000, 1)));
    expect(later.filter((x) => x.granted)).toHaveLength(3);
    expect(later[0].capacity).toBe(3);
    expect(await clients[0].hkeys(slotCapacityKey(prefix, 'DEV-104'))).toEqual(['host-a']);
  });
});
