import { Controller, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientsModule, Ctx, EventPattern, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import Redis from 'ioredis';
import { firstValueFrom, lastValueFrom, of } from 'rxjs';
import { register } from 'prom-client';
import {
  InvalidEnvelopeError,
  RedisStreamsClient,
  RedisStreamsContext,
  StreamsRecord,
  TransportKeys,
  TransportTimeoutError,
} from '@app/transport';
import {
  deletePrefix,
  eventually,
  RunningServer,
  startMicroservice,
  TEST_REDIS_URL,
  uniquePrefix,
} from './support/transport-harness';

const BUS = Symbol('BUS');
const events: Array<{ address: string; payload: unknown; attempt: number; from: string; traceparent?: string }> = [];

@Controller()
class MathController {
  @MessagePattern('math.sum')
  sum(@Payload() numbers: number[], @Ctx() ctx: RedisStreamsContext): { total: number; handled_by: string } {
    return { total: numbers.reduce((a, b) => a + b, 0), handled_by: ctx.getAddress() };
  }

  @MessagePattern('math.count')
  count(@Payload() n: number) {
    return of(...Array.from({ length: n }, (_, i) => i + 1));
  }

  @MessagePattern('math.divide')
  divide(@Payload() p: { a: number; b: number }): number {
    if (p.b === 0) throw new RpcException({ code: 'DIVISION_BY_ZERO', message: 'b must not be 0' });
    return p.a / p.b;
  }

  @EventPattern('note.created')
  noteCreated(@Payload() payload: unknown, @Ctx() ctx: RedisStreamsContext): void {
    const env = ctx.getEnvelope();
    events.push({
      address: ctx.getAddress(),
      payload,
      attempt: ctx.getAttempt(),
      from: env.from_agent,
      traceparent: env.traceparent,
    });
  }
}

// The e2e project's testTimeout is not applied per project; these suites wait on real Redis.
jest.setTimeout(60_000);

describe('RedisStreams transport: delivery through a real Nest microservice and ClientProxy', () => {
  const prefix = uniquePrefix();
  const redis = new Redis(TEST_REDIS_URL);
  let ms: RunningServer;
  let second: RunningServer;
  let ctx: INestApplicationContext;
  let client: RedisStreamsClient;

  beforeAll(async () => {
    ms = await startMicroservice([MathController], {
      keyPrefix: prefix,
      addresses: [{ address: 'DEV-001', concurrency: 4 }, 'QA-001'],
      consumerName: 'host-a',
      broadcast: true,
    });
    second = await startMicroservice([MathController], {
      keyPrefix: prefix,
      addresses: ['OPS-001'],
      consumerName: 'host-b',
      broadcast: { concurrency: 2 },
    });
    @Module({
      imports: [
        ClientsModule.register([
          {
            name: BUS,
            customClass: RedisStreamsClient,
            options: {
              url: TEST_REDIS_URL,
              keyPrefix: prefix,
              defaultTarget: 'DEV-001',
              from: 'PM-001',
              requestTimeoutMs: 5_000,
            },
          },
        ]),
      ],
    })
    class CallerModule {}
    ctx = await NestFactory.createApplicationContext(CallerModule, { logger: ['error'] });
    client = ctx.get<RedisStreamsClient>(BUS);
    await client.connect();
  });

  afterAll(async () => {
    await ctx.close();
    await ms.app.close();
    await second.app.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('answers send() with the handler result, to the default target and to a per-call address', async () => {
    await expect(firstValueFrom(client.send('math.sum', [1, 2, 3]))).resolves.toEqual({
      total: 6,
      handled_by: 'DEV-001',
    });
    await expect(firstValueFrom(client.to('QA-001').send('math.sum', [4, 5]))).resolves.toEqual({
      total: 9,
      handled_by: 'QA-001',
    });
    const viaRecord = client.send('math.sum', new StreamsRecord([10], { to: 'OPS-001' }));
    await expect(firstValueFrom(viaRecord)).resolves.toEqual({ total: 10, handled_by: 'OPS-001' });
  });

  it('streams every value of an Observable-returning handler', async () => {
    const { toArray } = await import('rxjs');
    await expect(lastValueFrom(client.send('math.count', 3).pipe(toArray()))).resolves.toEqual([1, 2, 3]);
  });

  it('returns an RpcException to the caller without retrying it', async () => {
    await expect(firstValueFrom(client.send('math.divide', { a: 1, b: 0 }))).rejects.toEqual({
      code: 'DIVISION_BY_ZERO',
      message: 'b must not be 0',
    });
    await expect(firstValueFrom(client.send('math.divide', { a: 1, b: 4 }))).resolves.toBe(0.25);
  });

  it('emit() resolves with the stream entry id once stored, and the event handler receives the envelope', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const entryId = await lastValueFrom(client.to('QA-001').emit('note.created', { text: 'hello' }));
    expect(entryId).toMatch(/^\d+-\d+$/);
    const stored = await redis.xrange(new TransportKeys(prefix).stream('QA-001'), entryId, entryId);
    expect(stored).toHaveLength(1);
    await lastValueFrom(client.emit('note.created', new StreamsRecord({ text: 'traced' }, { traceparent })));
    await eventually(() => events.filter((e) => e.address !== 'ALL').length >= 2, 'two events handled');
    expect(events).toEqual(
      expect.arrayContaining([
        { address: 'QA-001', payload: { text: 'hello' }, attempt: 1, from: 'PM-001', traceparent: undefined },
        { address: 'DEV-001', payload: { text: 'traced' }, attempt: 1, from: 'PM-001', traceparent },
      ]),
    );
  });

  it('broadcast (to ALL) reaches every live instance once', async () => {
    await lastValueFrom(client.to('ALL').emit('note.created', { text: 'to everyone' }));
    await eventually(() => events.filter((e) => e.address === 'ALL').length >= 2, 'both instances got the broadcast');
    const groups = (await redis.xinfo('GROUPS', new TransportKeys(prefix).stream('ALL'))) as unknown[][];
    expect(groups.map((g) => g[1]).sort()).toEqual(['broadcast:host-a', 'broadcast:host-b']);
    expect(events.filter((e) => e.address === 'ALL')).toHaveLength(2);
  });

  it('fails send() with a clear timeout error when nobody consumes the address', async () => {
    const call = firstValueFrom(client.to('NOBODY-001').send('math.sum', [1], { timeoutMs: 300 }));
    await expect(call).rejects.toBeInstanceOf(TransportTimeoutError);
    await expect(firstValueFrom(client.to('NOBODY-001').send('math.sum', [1], { timeoutMs: 300 }))).rejects.toThrow(
      /no reply to "math.sum" from NOBODY-001 within 300 ms/,
    );
  });

  it('validates the envelope on the sending side (bad traceparent, broadcast send, bad address)', async () => {
    await expect(
      lastValueFrom(client.emit('note.created', new StreamsRecord({}, { traceparent: 'not-a-trace' }))),
    ).rejects.toBeInstanceOf(InvalidEnvelopeError);
    await expect(firstValueFrom(client.to('ALL').send('math.sum', [1]))).rejects.toThrow(
      /broadcast \(ALL\) is emit-only/,
    );
    expect(() => client.to('bad{slot}')).toThrow(/invalid transport address/);
  });

  it('leaves the broadcast group on close', async () => {
    const extra = await startMicroservice([MathController], {
      keyPrefix: prefix,
      addresses: ['TMP-001'],
      consumerName: 'host-c',
      broadcast: true,
    });
    const key = new TransportKeys(prefix).stream('ALL');
    const names = async () => ((await redis.xinfo('GROUPS', key)) as unknown[][]).map((g) => g[1]);
    expect(await names()).toContain('broadcast:host-c');
    await extra.app.close();
    expect(await names()).not.toContain('broadcast:host-c');
  });

  it('exports the transport metrics', async () => {
    const text = await register.metrics();
    for (const name of [
      'transport_messages_sent_total',
      'transport_messages_handled_total',
      'transport_messages_in_flight',
      'transport_handler_duration_seconds',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(
      /transport_messages_handled_total\{address="DEV-001",pattern="math.sum",outcome="success"\} \d+/,
    );
  });
});
