import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsClient } from '@app/transport';
import { eventually, RunningServer, startMicroservice, uniquePrefix } from '../transport/support/transport-harness';
import { OwnSentinelSet } from './support/own-sentinel';

const handled = new Set<number>();

@Controller()
class TickController {
  @EventPattern('tick')
  tick(@Payload() p: { n: number }): void {
    handled.add(p.n);
  }
}

jest.setTimeout(180_000);

/** Emits until Redis acknowledges the append (a failover makes some appends fail with TransportUnavailableError). */
async function emitAcknowledged(client: RedisStreamsClient, n: number): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await lastValueFrom(client.emit('tick', { n }));
      return;
    } catch (err) {
      if (tries > 200) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('RedisStreams transport over a Redis Sentinel set (REDIS_URL=redis-sentinel://…)', () => {
  const set = new OwnSentinelSet();
  const prefix = uniquePrefix();
  let ms: RunningServer;
  let client: RedisStreamsClient;

  beforeAll(async () => {
    await set.start();
    ms = await startMicroservice([TickController], {
      url: set.url,
      keyPrefix: prefix,
      addresses: [{ address: 'DEV-001', concurrency: 4 }],
      consumerName: 'host-a',
    });
    client = new RedisStreamsClient({
      url: set.url,
      keyPrefix: prefix,
      defaultTarget: 'DEV-001',
      appendTimeoutMs: 1_000,
      blockMs: 100,
    });
  });

  afterAll(async () => {
    await client?.close();
    await ms?.app.close();
    await set.destroy();
  });

  it('finds the master through the sentinels, and after the master is SIGKILLed follows the promoted replica', async () => {
    const before = await set.masterPort();
    for (let n = 0; n < 50; n++) await emitAcknowledged(client, n);
    await eventually(() => handled.size === 50, 'the 50 messages before the failover handled');

    const after = await set.failover();
    expect(after).not.toBe(before);

    // Neither the server nor the client is restarted: both ask the sentinels for the new master.
    for (let n = 50; n < 100; n++) await emitAcknowledged(client, n);
    await eventually(
      () => [...Array(50).keys()].every((i) => handled.has(50 + i)),
      'the 50 messages after the failover handled by the same server',
      60_000,
    );
    expect(handled.size).toBe(100);
  });
});
