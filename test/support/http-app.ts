import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamicModule } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { register } from 'prom-client';
import { createHttpApp } from '@app/edge';
import { AppConfig, loadConfig } from '@app/config';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './test-env';

export interface StartedHttpApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  baseUrl: string;
  close(): Promise<void>;
}

export interface StartHttpAppOptions {
  /** Environment for loadConfig on top of the test defaults (test database, test Redis, silent logs). */
  env?: Record<string, string>;
  title?: string;
}

/** The configuration a test app gets: only the test services and what the test sets, never the caller's shell. */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    // Suites not about auth run without it; the auth suites (test/auth) set AUTH_MODE=on.
    AUTH_MODE: 'disabled',
    ...env,
  });
}

/**
 * Starts a real app module through the same createHttpApp the process entry points use, on a
 * random port, against the test database and Redis. Usage:
 *   const registry = await startHttpApp((config) => RegistryAppModule.forRoot(config), { env: {...} });
 *   await fetch(`${registry.baseUrl}/health`); ...; await registry.close();
 * prom-client keeps one global registry per process, so starting a second app in the same test
 * file resets it: /metrics then shows the most recently started app's metrics.
 */
export async function startHttpApp(
  build: (config: AppConfig) => DynamicModule,
  options: StartHttpAppOptions = {},
): Promise<StartedHttpApp> {
  const config = testConfig(options.env);
  register.clear();
  const app = await createHttpApp(build(config), {
    title: options.title ?? 'test app',
    description: 'started by an e2e test',
    bodyLimitBytes: config.httpBodyLimitBytes,
    maxJsonDepth: config.limits.httpJsonMaxDepth,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as AddressInfo;
  return { app, config, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** A Redis key prefix no other test run shares (tests must never FLUSHDB a shared Redis). */
export function uniqueRedisPrefix(area: string): string {
  return `test:${area}:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under a test's prefix. */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
