import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { Cluster } from 'ioredis';
import { RedisStreamsClient, RedisStreamsContext, TransportKeys } from '@app/transport';
import { eventually, RunningServer, startMicroservice, uniquePrefix } from '../transport/support/transport-harness';
import { OwnCluster } from './support/own-cluster';

const handled = new Map<string, Set<number>>();
let failOnce = true;

@Controller()
class ClusterController {
  @EventPattern('tick')
  tick(@Payload() p: { n: number }, @Ctx() ctx: RedisStreamsContext): void {
    // One failure exercises the retry path (MULTI of XADD + XACK on one slot).
    if (p.n === 7 && failOnce) {
      failOnce = false;
      throw new Error('first delivery of 7 fails');
    }
    const seen = handled.get(ctx.getAddress()) ?? new Set<number>();
    seen.add(p.n);
    handled.set(ctx.getAddress(), seen);
  }

  @MessagePattern('echo')
  echo(@Payload() p: unknown): unknown {
    return p;
  }

  @EventPattern('poison')
  poison(): void {
    throw new Error('always fails');
  }
}

jest.setTimeout(120_000);

// Agent ids that land on different slots (and so, with 3 masters, on different nodes).
const ADDRESSES = ['DEV-001', 'QA-001', 'MED-001', 'OPS-001'];

describe('RedisStreams transport on a 3-master Redis Cluster (redis-cluster://)', () => {
  const cluster = new OwnCluster();
  const prefix = uniquePrefix();
  let ms: RunningServer;
  const clients: RedisStreamsClient[] = [];

  beforeAll(async () => {
    await cluster.start();
    ms = await startMicroservice([ClusterController], {
      url: cluster.url,
      keyPrefix: prefix,
      addresses: ADDRESSES.map((address) => ({ address, concurrency: 4 })),
      consumerName: 'host-a',
      maxDeliveries: 2,
    });
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await ms?.app.close();
    await cluster.destroy();
  });

  it('spreads the addresses over the masters', async () => {
    const probe = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    try {
      const keys = new TransportKeys(prefix);
      const slots = await Promise.all(ADDRESSES.map((a) => probe.call('CLUSTER', 'KEYSLOT', keys.stream(a))));
      // CLUSTER SLOTS: [start, end, [host, port, id], ...replicas] per range.
      const ranges = (await probe.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const owners = new Set(
        (slots as number[]).map((slot) => ranges.find(([from, to]) => slot >= from && slot <= to)?.[2][1]),
      );
      expect(owners.has(undefined)).toBe(false);
      expect(owners.size).toBeGreaterThan(1);
    } finally {
      probe.disconnect();
    }
  });

  it('delivers events, retries, replies to requests and dead-letters across slots', async () => {
    for (const address of ADDRESSES) {
      const client = new RedisStreamsClient({
        url: cluster.url,
        keyPrefix: prefix,
        defaultTarget: address,
        blockMs: 100,
      });
      clients.push(client);
      for (let n = 0; n < 20; n++) await lastValueFrom(client.emit('tick', { n }));
    }
    await eventually(
      () => ADDRESSES.every((a) => handled.get(a)?.size === 20),
      'every tick on every address handled (7 on its retry)',
      60_000,
    );
    expect(failOnce).toBe(false);

    const echoed = await lastValueFrom(clients[1].send('echo', { hello: 'cluster' }));
    expect(echoed).toEqual({ hello: 'cluster' });

    await lastValueFrom(clients[2].emit('poison', {}));
    const probe = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    try {
      const dlq = new TransportKeys(prefix).deadLetter(ADDRESSES[2]);
      await eventually(async () => (await probe.xlen(dlq)) === 1, 'the poison message dead-lettered', 30_000);
    } finally {
      probe.disconnect();
    }
  });
});
