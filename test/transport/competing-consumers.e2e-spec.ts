import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsClient, RedisStreamsContext, TransportAdmin } from '@app/transport';
import {
  deletePrefix,
  eventually,
  newClient,
  RunningServer,
  startMicroservice,
  TEST_REDIS_URL,
  uniquePrefix,
} from './support/transport-harness';

const handled: Array<{ n: number; consumer: string }> = [];
let inFlight = 0;
let maxInFlight = 0;

@Controller()
class JobController {
  @EventPattern('job.run')
  async run(@Payload() p: { n: number; consumer?: string }, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, p.n % 3));
    inFlight -= 1;
    handled.push({ n: p.n, consumer: ctx.getConsumer() });
  }
}

// The e2e project's testTimeout is not applied per project; these suites wait on real Redis.
jest.setTimeout(60_000);

describe('RedisStreams transport: competing consumers', () => {
  const prefix = uniquePrefix();
  const redis = new Redis(TEST_REDIS_URL);
  const servers: RunningServer[] = [];
  let client: RedisStreamsClient;

  beforeAll(async () => {
    for (const name of ['replica-1', 'replica-2', 'replica-3']) {
      servers.push(
        await startMicroservice([JobController], {
          keyPrefix: prefix,
          addresses: [{ address: 'DEV-001', concurrency: 2 }],
          consumerName: name,
        }),
      );
    }
    client = newClient({ keyPrefix: prefix, defaultTarget: 'DEV-001' });
  });

  afterAll(async () => {
    await client.close();
    for (const s of servers) await s.app.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('hands each of N messages to exactly one of 3 replicas and shares the load', async () => {
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => lastValueFrom(client.emit('job.run', { n: i }))));
    await eventually(() => handled.length >= n, `${n} messages handled`);
    const admin = new TransportAdmin(redis, { keyPrefix: prefix });
    await eventually(async () => (await admin.stats('DEV-001')).groups[0].pending === 0, 'all acknowledged');
    // Settle: a duplicate would show up after the acks too.
    await new Promise((r) => setTimeout(r, 300));
    const ns = handled.map((h) => h.n).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: n }, (_, i) => i));
    const stats = await admin.stats('DEV-001');
    expect(stats.groups).toHaveLength(1);
    expect(stats.groups[0]).toMatchObject({ name: 'workers', consumers: 3, pending: 0, lag: 0 });
    // Per-replica concurrency 2 over 3 replicas: never more than 6 in flight in total.
    expect(maxInFlight).toBeLessThanOrEqual(6);
  });

  it('spreads the work: every replica handled some and none is left busy', () => {
    expect(new Set(handled.map((h) => h.consumer))).toEqual(new Set(['replica-1', 'replica-2', 'replica-3']));
    expect(servers.every((s) => s.server.inFlight()['DEV-001'] === 0)).toBe(true);
  });
});
