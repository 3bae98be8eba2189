import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { MessagePattern } from '@nestjs/microservices';
import { RedisStreamsClient, TransportUnavailableError } from '@app/transport';
import {
  eventually,
  freePort,
  OwnRedis,
  RunningServer,
  startMicroservice,
  uniquePrefix,
} from './support/transport-harness';

const handled = new Set<number>();

@Controller()
class TickController {
  @EventPattern('tick')
  tick(@Payload() p: { n: number }): void {
    handled.add(p.n);
  }

  @MessagePattern('echo')
  echo(@Payload() p: unknown): unknown {
    return p;
  }
}

// The e2e project's testTimeout is not applied per project; these suites wait on real Redis.
jest.setTimeout(60_000);

describe('RedisStreams transport: Redis restarts during a steady stream', () => {
  const prefix = uniquePrefix();
  let redis: OwnRedis;
  let ms: RunningServer;
  let client: RedisStreamsClient;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    ms = await startMicroservice([TickController], {
      url: redis.url,
      keyPrefix: prefix,
      addresses: [{ address: 'DEV-001', concurrency: 4 }],
      consumerName: 'host-a',
    });
    client = new RedisStreamsClient({
      url: redis.url,
      keyPrefix: prefix,
      defaultTarget: 'DEV-001',
      appendTimeoutMs: 1_000,
      requestTimeoutMs: 5_000,
      blockMs: 100,
    });
  });

  afterAll(async () => {
    await client.close();
    await ms.app.close();
    await redis.destroy();
  });

  it('loses no acknowledged message, fails the others clearly, and the consumer resumes', async () => {
    const acknowledged = new Set<number>();
    const failed: unknown[] = [];
    let n = 0;
    let stop = false;
    const producer = (async () => {
      while (!stop) {
        const i = n++;
        try {
          await lastValueFrom(client.emit('tick', { n: i }));
          acknowledged.add(i);
        } catch (err) {
          failed.push(err);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    await eventually(() => handled.size >= 50, 'steady stream flowing');
    await redis.kill(); // SIGKILL mid-stream: only fsynced (= acknowledged) writes survive
    await eventually(() => failed.length >= 2, 'emits during the outage fail instead of hanging');
    await redis.start();
    const resumedFrom = n;
    await eventually(
      () => [...acknowledged].some((i) => i > resumedFrom && handled.has(i)),
      'consumer resumed after restart',
    );
    stop = true;
    await producer;

    await eventually(() => [...acknowledged].every((i) => handled.has(i)), 'every acknowledged message handled');
    expect(failed.every((e) => e instanceof TransportUnavailableError)).toBe(true);
    expect((failed[0] as Error).message).toMatch(/Redis|acknowledge/);
    // Request/response works again on the reconnected connections.
    await expect(firstValueFrom(client.send('echo', { ok: true }))).resolves.toEqual({ ok: true });
  });
});
