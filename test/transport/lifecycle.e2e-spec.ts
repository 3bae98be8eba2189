import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsClient, RedisStreamsContext, TransportAdmin, TransportKeys } from '@app/transport';
import {
  deletePrefix,
  eventually,
  newClient,
  RunningServer,
  startMicroservice,
  TEST_REDIS_URL,
  uniquePrefix,
} from './support/transport-harness';

/** Handlers block on gates the test opens, so "in flight" is a state the test controls, not a race. */
const gates = new Map<number, Array<() => void>>();
const started: Array<{ n: number; consumer: string; attempt: number }> = [];
const finished: number[] = [];
let inFlight = 0;
let maxInFlight = 0;

function open(n: number): void {
  for (const release of gates.get(n)?.splice(0) ?? []) release();
}

@Controller()
class GatedController {
  @EventPattern('gated')
  async gated(@Payload() p: { n: number }, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    started.push({ n: p.n, consumer: ctx.getConsumer(), attempt: ctx.getAttempt() });
    await new Promise<void>((r) => gates.set(p.n, [...(gates.get(p.n) ?? []), r]));
    inFlight -= 1;
    finished.push(p.n);
  }
}

// The e2e project's testTimeout is not applied per project; these suites wait on real Redis.
jest.setTimeout(60_000);

describe('RedisStreams transport: backpressure, restart, drain and trimming', () => {
  const prefix = uniquePrefix();
  const keys = new TransportKeys(prefix);
  const redis = new Redis(TEST_REDIS_URL);
  const admin = new TransportAdmin(redis, { keyPrefix: prefix });
  let client: RedisStreamsClient;
  const running: RunningServer[] = [];

  const start = async (consumerName: string, visibilityTimeoutMs = 60_000) => {
    const s = await startMicroservice([GatedController], {
      keyPrefix: prefix,
      addresses: [{ address: 'DEV-001', concurrency: 2 }],
      consumerName,
      visibilityTimeoutMs,
      claimIntervalMs: 200,
      trim: { maxLength: 5 },
    });
    running.push(s);
    return s;
  };

  beforeAll(() => {
    client = newClient({ keyPrefix: prefix, defaultTarget: 'DEV-001' });
  });

  afterAll(async () => {
    for (const n of gates.keys()) open(n);
    await client.close();
    for (const s of running) await s.app.close().catch(() => undefined);
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('never has more than `concurrency` entries in flight and reads only as many as it has free slots', async () => {
    const a = await start('host-a');
    for (let n = 1; n <= 6; n++) await lastValueFrom(client.emit('gated', { n }));
    await eventually(() => started.length === 2, 'two started');
    // Only two delivered to the group: the other four were not read (no slot), so they are not pending.
    const stats = await admin.stats('DEV-001');
    expect(stats.groups[0]).toMatchObject({ pending: 2, lag: 4 });
    expect(a.server.inFlight()).toEqual({ 'DEV-001': 2 });
    open(1);
    await eventually(() => started.length === 3, 'a freed slot admits exactly one more');
    expect(maxInFlight).toBe(2);
  });

  it('trims acknowledged entries but never one that is pending or unread', async () => {
    const stream = keys.stream('DEV-001');
    // Entry 1 is acked; 2 and 3 are in flight; 4-6 unread. Trim (maxLength 5) may remove only entry 1.
    await eventually(async () => (await redis.xlen(stream)) === 5, 'the acknowledged entry trimmed');
    const payloads = (await redis.xrange(stream, '-', '+')).map(([, f]) => JSON.parse(f[1]).payload.n);
    expect(payloads).toEqual([2, 3, 4, 5, 6]);
  });

  it('a consumer restarted under the same name re-reads its own pending entries first', async () => {
    const [a] = running;
    a.server.abort(); // crash: entries 2 and 3 stay pending for host-a
    const before = started.length;
    await start('host-a'); // visibility timeout 60 s: only the own-pending path can pick them up now
    await eventually(() => started.length === before + 2, 'own pending re-read');
    const again = started.slice(before);
    expect(again.map((s) => s.n).sort()).toEqual([2, 3]);
    expect(again.every((s) => s.consumer === 'host-a' && s.attempt === 2)).toBe(true);
  });

  it('drain stops reading, finishes in-flight handlers and acknowledges them', async () => {
    const b = running[running.length - 1];
    const draining = b.server.drain();
    open(2);
    open(3);
    await draining;
    expect(finished).toEqual(expect.arrayContaining([1, 2, 3]));
    const stats = await admin.stats('DEV-001');
    // 4-6 were never read by the drained consumer: still waiting for someone.
    expect(stats.groups[0]).toMatchObject({ pending: 0, lag: 3 });
    await b.app.close();
    const c = await start('host-c');
    await eventually(() => started.filter((s) => s.consumer === 'host-c').length === 2, 'the next instance continues');
    await eventually(() => {
      for (const n of [4, 5, 6]) open(n); // 6 starts only once 4 or 5 freed a slot
      return [4, 5, 6].every((n) => finished.includes(n));
    }, 'all done');
    await c.app.close();
  });

  it('renews the lease of a long-running handler so nobody reclaims it', async () => {
    const d = await start('host-d', 600);
    const e = await start('host-e', 600);
    await lastValueFrom(client.emit('gated', { n: 7 }));
    await eventually(() => started.some((s) => s.n === 7), 'started');
    // Three visibility timeouts pass while the handler runs; the other consumer must not take the entry.
    await new Promise((r) => setTimeout(r, 1_800));
    expect(started.filter((s) => s.n === 7)).toHaveLength(1);
    open(7);
    await eventually(() => finished.includes(7), 'finished');
    await d.app.close();
    await e.app.close();
  });
});
