import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsClient, RedisStreamsContext } from '@app/transport';
import {
  deletePrefix,
  eventually,
  newClient,
  RunningServer,
  startMicroservice,
  TEST_REDIS_URL,
  uniquePrefix,
} from './support/transport-harness';

const survivorHandled: Array<{ n: number; attempt: number; entryId: string }> = [];

@Controller()
class SurvivorController {
  @EventPattern('job.slow')
  slow(@Payload() payload: { n: number }, @Ctx() ctx: RedisStreamsContext): void {
    survivorHandled.push({ n: payload.n, attempt: ctx.getAttempt(), entryId: ctx.getEntryId() });
  }
}

type FixtureMessage =
  { type: 'ready' } | { type: 'started'; n: number; entryId: string } | { type: 'error'; message: string };

function startFixture(prefix: string): {
  child: ChildProcess;
  next: (type: FixtureMessage['type']) => Promise<FixtureMessage>;
} {
  const child = fork(join(__dirname, 'fixtures', 'crashing-consumer.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
    env: {
      ...process.env,
      TS_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.json'),
      TRANSPORT_PREFIX: prefix,
      REDIS_URL: TEST_REDIS_URL,
      CONSUMER: 'doomed-host',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: FixtureMessage[] = [];
  const waiters: Array<() => void> = [];
  child.on('message', (m: FixtureMessage) => {
    inbox.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  const next = async (type: FixtureMessage['type']): Promise<FixtureMessage> => {
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const m = inbox.splice(i, 1)[0];
        if (m.type === 'error') throw new Error(`fixture failed: ${m.message}`);
        return m;
      }
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { child, next };
}

// The e2e project's testTimeout is not applied per project; these suites wait on real Redis.
jest.setTimeout(60_000);

describe('RedisStreams transport: a consumer killed with SIGKILL mid-handler', () => {
  const prefix = uniquePrefix();
  const redis = new Redis(TEST_REDIS_URL);
  let client: RedisStreamsClient;
  let child: ChildProcess | undefined;
  let survivor: RunningServer | undefined;

  beforeAll(() => {
    client = newClient({ keyPrefix: prefix, defaultTarget: 'DEV-001' });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await client.close();
    await survivor?.app.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('lets another consumer of the group handle the message after the visibility timeout', async () => {
    const fixture = startFixture(prefix);
    child = fixture.child;
    await fixture.next('ready');
    const entryId = await lastValueFrom(client.emit('job.slow', { n: 42 }));
    const started = await fixture.next('started');
    expect(started).toEqual({ type: 'started', n: 42, entryId });

    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    // The entry is still pending for the dead consumer: nothing acknowledged it.
    const pending = (await redis.xpending(`${prefix}:{DEV-001}:stream`, 'workers', '-', '+', 10)) as unknown[][];
    expect(pending.map((p) => [p[0], p[1]])).toEqual([[entryId, 'doomed-host']]);

    survivor = await startMicroservice([SurvivorController], {
      keyPrefix: prefix,
      addresses: ['DEV-001'],
      consumerName: 'survivor-host',
      visibilityTimeoutMs: 1_000,
      claimIntervalMs: 200,
    });
    await eventually(() => survivorHandled.length > 0, 'the survivor reclaimed and handled the entry');
    expect(survivorHandled).toEqual([{ n: 42, attempt: 2, entryId }]);
    await eventually(
      async () => (await redis.xpending(`${prefix}:{DEV-001}:stream`, 'workers', '-', '+', 10)).length === 0,
      'acknowledged',
    );
  });
});
