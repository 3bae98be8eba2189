import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import Redis from 'ioredis';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { createEnvelope, RedisStreamsClient, RedisStreamsContext, TransportAdmin, TransportKeys } from '@app/transport';
import {
  deletePrefix,
  eventually,
  newClient,
  RunningServer,
  startMicroservice,
  TEST_REDIS_URL,
  uniquePrefix,
} from './support/transport-harness';

const state = { healthy: false };
const attempts: Array<{ key: string; attempt: number }> = [];
const succeeded: string[] = [];

@Controller()
class FlakyController {
  @EventPattern('order.placed')
  placed(@Payload() p: { key: string }, @Ctx() ctx: RedisStreamsContext): void {
    attempts.push({ key: p.key, attempt: ctx.getAttempt() });
    if (!state.healthy) throw new Error(`downstream unavailable for ${p.key}`);
    succeeded.push(p.key);
  }

  @MessagePattern('order.quote')
  quote(@Payload() p: { key: string }): number {
    attempts.push({ key: p.key, attempt: 0 });
    throw new Error('pricing engine down');
  }
}

// The e2e project's testTimeout is not applied per project; these suites wait on real Redis.
jest.setTimeout(60_000);

describe('RedisStreams transport: retries, dead-letter stream, replay and malformed entries', () => {
  const prefix = uniquePrefix();
  const keys = new TransportKeys(prefix);
  const redis = new Redis(TEST_REDIS_URL);
  const admin = new TransportAdmin(redis, { keyPrefix: prefix });
  let ms: RunningServer;
  let client: RedisStreamsClient;

  beforeAll(async () => {
    ms = await startMicroservice(
      [FlakyController],
      {
        keyPrefix: prefix,
        addresses: [{ address: 'DEV-001', concurrency: 2 }],
        consumerName: 'host-a',
        maxDeliveries: 3,
      },
      { filter: true },
    );
    client = newClient({ keyPrefix: prefix, defaultTarget: 'DEV-001' });
  });

  afterAll(async () => {
    await client.close();
    await ms.app.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('retries a failing handler with backoff, then dead-letters it with the error, attempts and original envelope', async () => {
    const entryId = await lastValueFrom(client.emit('order.placed', { key: 'o-1' }));
    await eventually(async () => (await admin.listDeadLetters('DEV-001')).length === 1, 'dead-lettered');
    expect(attempts.filter((a) => a.key === 'o-1').map((a) => a.attempt)).toEqual([1, 2, 3]);
    const [dead] = await admin.listDeadLetters('DEV-001');
    expect(dead).toMatchObject({
      address: 'DEV-001',
      reason: 'max_deliveries',
      attempts: 3,
      consumer: 'host-a',
      message_type: 'order.placed',
    });
    expect(dead.error).toContain('downstream unavailable for o-1');
    expect(JSON.parse(dead.original.envelope)).toMatchObject({
      message_type: 'order.placed',
      payload: { key: 'o-1' },
      attempt: 3,
    });
    expect(dead.source_id).not.toBe(entryId); // retries are requeued as fresh entries
    const stats = await admin.stats('DEV-001');
    expect(stats).toMatchObject({ dead_letters: 1, groups: [{ name: 'workers', pending: 0 }] });
  });

  it('replays a dead-lettered entry with a fresh attempt count once the cause is fixed', async () => {
    state.healthy = true;
    const [dead] = await admin.listDeadLetters('DEV-001');
    const newId = await admin.replay('DEV-001', dead.id);
    expect(newId).toMatch(/^\d+-\d+$/);
    await eventually(() => succeeded.includes('o-1'), 'replayed entry handled');
    expect(attempts.filter((a) => a.key === 'o-1').at(-1)).toEqual({ key: 'o-1', attempt: 1 });
    expect(await admin.listDeadLetters('DEV-001')).toEqual([]);
    expect(await admin.replay('DEV-001', dead.id)).toBeNull();
  });

  it('answers a request whose handler keeps failing with a dead-letter error', async () => {
    const call = firstValueFrom(client.send('order.quote', { key: 'q-1' }));
    await expect(call).rejects.toMatchObject({ code: 'TRANSPORT_DEAD_LETTERED' });
    await expect(firstValueFrom(client.send('order.quote', { key: 'q-2' }))).rejects.toMatchObject({
      message: expect.stringContaining('dead-lettered after 3 attempt(s)'),
    });
    await admin.purge('DEV-001');
  });

  it('dead-letters malformed entries with the reason and keeps consuming the stream', async () => {
    const stream = keys.stream('DEV-001');
    const good = createEnvelope({
      from_agent: 'QA-001',
      to_agent: 'DEV-001',
      message_type: 'order.placed',
      payload: { key: 'after-junk' },
    });
    const missing: Record<string, unknown> = { ...good, id: 'x-1' };
    delete missing.message_type;
    await redis.xadd(stream, '*', 'envelope', '{not json');
    await redis.xadd(stream, '*', 'something', 'else');
    await redis.xadd(stream, '*', 'envelope', JSON.stringify(missing));
    await redis.xadd(stream, '*', 'envelope', JSON.stringify({ ...good, id: 'x-2', traceparent: 'zz' }));
    await redis.xadd(stream, '*', 'envelope', JSON.stringify({ ...good, id: 'x-3', message_type: 'no.such.pattern' }));
    await redis.xadd(stream, '*', 'envelope', JSON.stringify(good));
    await eventually(() => succeeded.includes('after-junk'), 'the good entry behind the junk was handled');
    await eventually(async () => (await admin.listDeadLetters('DEV-001')).length === 5, 'five dead letters');
    const dead = await admin.listDeadLetters('DEV-001');
    expect(dead.map((d) => d.reason)).toEqual([
      'malformed_json',
      'invalid_envelope',
      'invalid_envelope',
      'invalid_envelope',
      'unknown_pattern',
    ]);
    expect(dead[0].original).toEqual({ envelope: '{not json' });
    expect(dead[1].error).toContain('no "envelope" field');
    expect(dead[2].error).toContain('message_type');
    expect(dead[3].error).toContain('traceparent');
    expect(dead[4].error).toContain('no handler for pattern "no.such.pattern"');
    expect(dead[4].message_type).toBe('no.such.pattern');

    // A malformed entry replayed verbatim comes straight back; purge clears the lot.
    await admin.replay('DEV-001', dead[0].id);
    await eventually(
      async () =>
        (await admin.listDeadLetters('DEV-001')).some((d) => d.id !== dead[0].id && d.reason === 'malformed_json'),
      'junk dead-lettered again',
    );
    expect(await admin.purge('DEV-001', [dead[1].id])).toBe(1);
    expect(await admin.purge('DEV-001')).toBe(4);
    expect((await admin.stats('DEV-001')).dead_letters).toBe(0);
  });

  it('replayAll puts every dead letter back', async () => {
    state.healthy = false;
    await lastValueFrom(client.emit('order.placed', { key: 'r-1' }));
    await lastValueFrom(client.emit('order.placed', { key: 'r-2' }));
    await eventually(async () => (await admin.listDeadLetters('DEV-001')).length === 2, 'both dead-lettered');
    state.healthy = true;
    expect(await admin.replayAll('DEV-001')).toBe(2);
    await eventually(() => succeeded.includes('r-1') && succeeded.includes('r-2'), 'both replayed and handled');
  });
});
