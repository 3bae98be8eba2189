import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestMicroservice, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import {
  RedisStreamsClient,
  RedisStreamsClientOptions,
  RedisStreamsExceptionFilter,
  RedisStreamsServer,
  RedisStreamsServerOptions,
} from '@app/transport';
import { TEST_REDIS_URL } from '../../support/test-env';

export { TEST_REDIS_URL };

/** Every test isolates its keys under a random prefix (never FLUSHDB: other suites share this Redis). */
export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Fast timings so reclaim/retry paths run in test time. */
export const FAST = {
  blockMs: 100,
  visibilityTimeoutMs: 1_000,
  claimIntervalMs: 200,
  retryBackoff: { initialMs: 20, maxMs: 100, factor: 2, jitter: false },
  maintenanceIntervalMs: 200,
};

export interface RunningServer {
  app: INestMicroservice;
  server: RedisStreamsServer;
}

/** A real Nest microservice with the given controllers over RedisStreamsServer. */
export async function startMicroservice(
  controllers: Type<unknown>[],
  options: RedisStreamsServerOptions,
  extras: { providers?: Type<unknown>[]; filter?: boolean } = {},
): Promise<RunningServer> {
  const providers = extras.providers ?? [];
  @Module({ controllers, providers })
  class TransportTestModule {}
  const server = new RedisStreamsServer({ url: TEST_REDIS_URL, ...FAST, ...options });
  const app = await NestFactory.createMicroservice(TransportTestModule, { strategy: server, logger: ['error'] });
  if (extras.filter) app.useGlobalFilters(new RedisStreamsExceptionFilter());
  await app.listen();
  return { app, server };
}

export function newClient(options: RedisStreamsClientOptions): RedisStreamsClient {
  return new RedisStreamsClient({ url: TEST_REDIS_URL, requestTimeoutMs: 5_000, blockMs: 100, ...options });
}

/** Polls until `check` is true; fails with `what` after `timeoutMs` (a liveness bound, not a timing assertion). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Removes every key of a test prefix (SCAN, never FLUSHDB). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A private redis-server (AOF, fsync always) the test can kill and restart on the same port and data dir. */
export class OwnRedis {
  private proc?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'ea-transport-redis-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    const proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always',
        '--dir', this.dir, '--save', '', '--protected-mode', 'no'],
      { stdio: 'ignore' },
    ); // prettier-ignore
    this.proc = proc;
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // a refused probe is only a failed probe
    try {
      await eventually(
        async () => {
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG';
          } catch {
            probe.disconnect();
            return false;
          }
        },
        `redis-server on ${this.port}`,
        timeoutMs,
      );
    } finally {
      probe.disconnect();
    }
  }

  /** SIGKILL: only what was fsynced survives, which with appendfsync always is every acknowledged write. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
    this.proc = undefined;
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
