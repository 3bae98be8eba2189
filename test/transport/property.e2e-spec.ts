import fc from 'fast-check';
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsClient, RedisStreamsContext, RedisStreamsServer, TransportAdmin } from '@app/transport';
import { deletePrefix, eventually, FAST, newClient, TEST_REDIS_URL, uniquePrefix } from './support/transport-harness';

// The e2e project's testTimeout is not applied per project; these suites wait on real Redis.
jest.setTimeout(120_000);

interface Scenario {
  /** Per message: how many times its handler throws before it succeeds. */
  failures: number[];
  /** Per message: handler duration, so crashes land mid-handler. */
  delays: number[];
  /** Crash a consumer once this many handler calls happened, then start a replacement (same name or a new one). */
  crashes: Array<{ afterCalls: number; victim: 0 | 1; sameName: boolean; downMs: number }>;
}

const scenario: fc.Arbitrary<Scenario> = fc.integer({ min: 3, max: 10 }).chain((n) =>
  fc.record({
    failures: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
    delays: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: n, maxLength: n }),
    crashes: fc.array(
      fc.record({
        afterCalls: fc.integer({ min: 0, max: 2 * n }),
        victim: fc.constantFrom<0 | 1>(0, 1),
        sameName: fc.boolean(),
        downMs: fc.integer({ min: 0, max: 100 }),
      }),
      { maxLength: 3 },
    ),
  }),
);

const MAX_DELIVERIES = 3;

async function runScenario(sc: Scenario): Promise<void> {
  const prefix = uniquePrefix();
  const redis = new Redis(TEST_REDIS_URL);
  const admin = new TransportAdmin(redis, { keyPrefix: prefix });
  const client: RedisStreamsClient = newClient({ keyPrefix: prefix, defaultTarget: 'DEV-001' });
  const failuresLeft = [...sc.failures];
  const succeeded = new Set<number>();
  let calls = 0;
  let generation = 0;

  const startServer = async (name: string): Promise<RedisStreamsServer> => {
    const server = new RedisStreamsServer({
      url: TEST_REDIS_URL,
      ...FAST,
      keyPrefix: prefix,
      addresses: [{ address: 'DEV-001', concurrency: 2 }],
      consumerName: name,
      maxDeliveries: MAX_DELIVERIES,
      visibilityTimeoutMs: 400,
      claimIntervalMs: 100,
      blockMs: 50,
      retryBackoff: { initialMs: 5, maxMs: 20, factor: 2, jitter: true },
    });
    server.addHandler(
      'prop.msg',
      async (data: { k: number }, _ctx: RedisStreamsContext) => {
        calls += 1;
        await new Promise((r) => setTimeout(r, sc.delays[data.k]));
        if (failuresLeft[data.k] > 0) {
          failuresLeft[data.k] -= 1;
          throw new Error(`planned failure of ${data.k}`);
        }
        succeeded.add(data.k);
      },
      true,
    );
    await new Promise<void>((resolve, reject) =>
      server.listen((err?: unknown) =>
        err ? reject(err instanceof Error ? err : new Error('listen failed')) : resolve(),
      ),
    );
    return server;
  };

  const servers = [await startServer('p0'), await startServer('p1')];
  const names = ['p0', 'p1'];
  try {
    const deadKeys = async () =>
      new Set(
        (await admin.listDeadLetters('DEV-001', { count: 1000 })).map(
          (d) => (JSON.parse(d.original.envelope) as { payload: { k: number } }).payload.k,
        ),
      );
    // Settled = every message succeeded or was dead-lettered; calls stop growing after that.
    const settled = async () => {
      const dead = await deadKeys();
      return sc.failures.every((_, k) => succeeded.has(k) || dead.has(k));
    };
    await Promise.all(sc.failures.map((_, k) => lastValueFrom(client.emit('prop.msg', { k }))));
    for (const crash of [...sc.crashes].sort((a, b) => a.afterCalls - b.afterCalls)) {
      await eventually(async () => calls >= crash.afterCalls || (await settled()), 'crash point', 10_000);
      servers[crash.victim].abort(); // no drain, no ack: in-flight entries stay pending
      await new Promise((r) => setTimeout(r, crash.downMs));
      generation += 1;
      names[crash.victim] = crash.sameName ? names[crash.victim] : `p${crash.victim}-g${generation}`;
      servers[crash.victim] = await startServer(names[crash.victim]);
    }
    await eventually(settled, 'every message handled or dead-lettered', 20_000);
    const dead = await deadKeys();
    const lost = sc.failures.map((_, k) => k).filter((k) => !succeeded.has(k) && !dead.has(k));
    expect(lost).toEqual([]);
    // Without crashes, attempts are exact: a message failing maxDeliveries times never succeeds and ends dead-lettered.
    if (sc.crashes.length === 0) {
      for (const [k, f] of sc.failures.entries()) {
        expect([k, succeeded.has(k), dead.has(k)]).toEqual([k, f < MAX_DELIVERIES, f >= MAX_DELIVERIES]);
      }
    }
  } finally {
    for (const s of servers) await s.close();
    await client.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  }
}

describe('RedisStreams transport: property — failures, crashes and restarts never lose a message', () => {
  it('every message ends handled at least once or dead-lettered', async () => {
    await fc.assert(fc.asyncProperty(scenario, runScenario), { numRuns: 20, endOnFailure: true });
  });
});
