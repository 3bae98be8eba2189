import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import Redis from 'ioredis';
import { createEnvelope, TransportAdmin, TransportKeys } from '@app/transport';
import {
  deletePrefix,
  eventually,
  RunningServer,
  startMicroservice,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../transport/support/transport-harness';

const calls: unknown[] = [];

@Controller()
class ProbeController {
  @MessagePattern('probe.echo')
  echo(@Payload() p: unknown): string {
    calls.push(p);
    return 'ok';
  }

  @EventPattern('probe.fail')
  fail(): void {
    throw new Error('always fails');
  }
}

jest.setTimeout(60_000);

/** Regression tests for issue 12 in the transport: envelope validation, bounded reclaims, replay, hygiene. */
describe('hostile entries on the Redis Streams transport', () => {
  const prefix = uniquePrefix();
  const keys = new TransportKeys(prefix);
  const redis = new Redis(TEST_REDIS_URL);
  const admin = new TransportAdmin(redis, { keyPrefix: prefix });
  let ms: RunningServer;

  beforeAll(async () => {
    ms = await startMicroservice(
      [ProbeController],
      {
        keyPrefix: prefix,
        addresses: [{ address: 'HOS-001', concurrency: 4 }],
        consumerName: 'live',
        maxDeliveries: 1,
        deadLetterRetention: { maxLength: 1_000, maxAgeMs: 60_000 },
        deadConsumerIdleMs: 300,
      },
      { filter: true },
    );
  });

  afterAll(async () => {
    await ms.app.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const envelope = (extra: Record<string, unknown> = {}) => ({
    ...createEnvelope({ from_agent: 'QA-001', to_agent: 'HOS-001', message_type: 'probe.echo', payload: { n: 1 } }),
    ...extra,
  });

  async function deadLetterOf(raw: string) {
    const before = calls.length;
    const id = await redis.xadd(keys.stream('HOS-001'), '*', 'envelope', raw);
    let found: Awaited<ReturnType<TransportAdmin['listDeadLetters']>>[number] | undefined;
    await eventually(async () => {
      found = (await admin.listDeadLetters('HOS-001', { count: 500 })).find((d) => d.source_id === id);
      return found !== undefined;
    }, `entry ${id} dead-lettered`);
    expect(calls.length).toBe(before); // the handler never saw it
    return found!;
  }

  it('refuses a __proto__ key that used to swap the prototype and skip every rule', async () => {
    const { attempt: _attempt, ...noAttempt } = envelope();
    const raw = `{"__proto__":{"x":1},${JSON.stringify(noAttempt).slice(1)}`;
    const dead = await deadLetterOf(raw);
    expect(dead.reason).toBe('invalid_envelope');
    expect(dead.error).toContain('__proto__');
  });

  it('refuses a missing attempt instead of counting NaN attempts', async () => {
    const { attempt: _attempt, ...noAttempt } = envelope();
    const dead = await deadLetterOf(JSON.stringify(noAttempt));
    expect(dead.error).toContain('attempt');
  });

  it('refuses a numeric reply_to before the handler runs', async () => {
    const dead = await deadLetterOf(JSON.stringify(envelope({ reply_to: 42 })));
    expect(dead.reason).toBe('invalid_envelope');
    expect(dead.error).toContain('reply_to');
  });

  it('refuses unknown envelope fields', async () => {
    const dead = await deadLetterOf(JSON.stringify(envelope({ sneaky: true })));
    expect(dead.error).toContain('sneaky: unknown envelope field');
  });

  it('refuses a payload nested 5,000 deep before parsing, and a __proto__ key inside the payload', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const raw = JSON.stringify(envelope({ payload: 'X' })).replace('"X"', deep);
    expect((await deadLetterOf(raw)).error).toMatch(/nested deeper than \d+ levels/);
    const poisoned = JSON.stringify(envelope({ payload: 'X' })).replace('"X"', '{"a":{"__proto__":{"admin":true}}}');
    expect((await deadLetterOf(poisoned)).error).toContain('payload.a.__proto__');
  });

  it('acknowledges a request whose reply cannot be written instead of running its handler again', async () => {
    const replyKey = `${prefix}:{bad}:reply`;
    await redis.set(replyKey, 'not a stream'); // XADD to it fails with WRONGTYPE
    const before = calls.length;
    await redis.xadd(keys.stream('HOS-001'), '*', 'envelope', JSON.stringify(envelope({ reply_to: replyKey })));
    await eventually(() => calls.length === before + 1, 'handler ran');
    await eventually(async () => (await admin.stats('HOS-001')).groups[0].pending === 0, 'entry acknowledged');
    expect(calls.length).toBe(before + 1);
  });

  it('replays all dead letters of a snapshot and terminates although every one fails again', async () => {
    await admin.purge('HOS-001');
    for (let i = 0; i < 30; i++) {
      await redis.xadd(
        keys.stream('HOS-001'),
        '*',
        'envelope',
        JSON.stringify(envelope({ message_type: 'probe.fail' })),
      );
    }
    await eventually(async () => (await admin.stats('HOS-001')).dead_letters === 30, '30 dead letters');
    const result = await admin.replaySnapshot('HOS-001');
    expect(result).toEqual({ replayed: 30, complete: true });
    await eventually(async () => (await admin.stats('HOS-001')).dead_letters === 30, 'all failed again');
    // A zero time limit answers at once, incomplete, and leaves the rest for the next call.
    expect(await admin.replaySnapshot('HOS-001', { timeLimitMs: 0 })).toEqual({ replayed: 0, complete: false });
  });

  it('trims dead letters older than the retention age', async () => {
    const dlq = keys.deadLetter('HOS-001');
    const old = Date.now() - 120_000;
    await admin.purge('HOS-001'); // explicit ids must be above the stream's newest
    for (let i = 0; i < 5; i++) await redis.xadd(dlq, `${old}-${i}`, 'address', 'HOS-001', 'reason', 'rejected');
    await eventually(async () => {
      const oldest = (await redis.xrange(dlq, '-', '+', 'COUNT', 1))[0];
      return oldest === undefined || Number(oldest[0].split('-')[0]) > old;
    }, 'old dead letters trimmed');
  });

  it('removes idle consumers without pending entries from the group, never itself', async () => {
    const stream = keys.stream('HOS-001');
    await redis.xgroup('CREATECONSUMER', stream, 'workers', 'dead-pod-1');
    await eventually(async () => {
      const names = ((await redis.xinfo('CONSUMERS', stream, 'workers')) as unknown[][]).map((c) => String(c[1]));
      return !names.includes('dead-pod-1') && names.includes('live');
    }, 'dead-pod-1 removed');
  });
});

describe('dead-letter streams bounded by length', () => {
  const prefix = uniquePrefix();
  const keys = new TransportKeys(prefix);
  const redis = new Redis(TEST_REDIS_URL);
  let ms: RunningServer | undefined;

  afterAll(async () => {
    await ms?.app.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('keeps at most maxLength dead letters, and a consumer that still holds entries stays', async () => {
    const stream = keys.stream('HOS-002');
    // A "dead pod" that read an entry and never acknowledged it: it keeps its membership until reclaimed. It reads
    // before the live consumer starts, so the entry is surely its own (the live one could otherwise take it first).
    await redis.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    await redis.xadd(stream, '*', 'envelope', '{}');
    const held = await redis.xreadgroup('GROUP', 'workers', 'holder', 'COUNT', 1, 'STREAMS', stream, '>');
    expect(held).toHaveLength(1);
    ms = await startMicroservice([ProbeController], {
      keyPrefix: prefix,
      addresses: ['HOS-002'],
      consumerName: 'live',
      maxDeliveries: 1,
      visibilityTimeoutMs: 600_000,
      deadLetterRetention: { maxLength: 10, maxAgeMs: 3_600_000 },
      deadConsumerIdleMs: 200,
    });
    for (let i = 0; i < 40; i++) await redis.xadd(stream, '*', 'envelope', `junk ${i}`);
    await eventually(async () => (await redis.xlen(keys.deadLetter('HOS-002'))) === 10, 'trimmed to 10');
    const consumers = ((await redis.xinfo('CONSUMERS', stream, 'workers')) as unknown[][]).map((c) => String(c[1]));
    expect(consumers).toContain('holder');
  });
});
