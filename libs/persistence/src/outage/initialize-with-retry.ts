import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';
import { errorMessage, RateLimitedWarn } from './rate-limited-warn';

export interface RetryDelays {
  initialMs: number;
  maxMs: number;
}

const DEFAULT_DELAYS: RetryDelays = { initialMs: 250, maxMs: 5_000 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Initializes a DataSource, waiting out a PostgreSQL outage with capped exponential backoff for as long as it
 * lasts: a process started before its database must not exit. Errors that are not an outage (bad credentials,
 * an unknown database) are thrown at once. A fresh DataSource per attempt, so no half-built pool survives.
 */
export async function initializeWithRetry(
  options: DataSourceOptions,
  delays: RetryDelays = DEFAULT_DELAYS,
  logger = new Logger('Database'),
): Promise<DataSource> {
  const warn = new RateLimitedWarn(logger);
  for (let attempt = 1; ; attempt++) {
    const dataSource = new DataSource(options);
    try {
      await dataSource.initialize();
      guardCheckedOutConnections(dataSource, warn);
      return dataSource;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const delay = Math.min(delays.maxMs, delays.initialMs * 2 ** Math.min(attempt - 1, 20));
      warn.warn('connect', `PostgreSQL unreachable (${errorMessage(error)}); waiting (attempt ${attempt})`);
      await sleep(delay);
    }
  }
}

const guarded = new WeakSet<PoolClient>();

/**
 * pg's pool listens for errors of idle connections only, and TypeORM adds a listener only while one of its query
 * runners holds a connection: one held any other way (or in the gaps around a runner's own listener) that PostgreSQL
 * terminates (a restart sends 57P01 to every backend) is an unhandled 'error' and the process exits — a registry did
 * in the fault campaign. Every connection gets a lasting listener the first time it is checked out ('acquire', not
 * 'connect': the connections TypeORM opened during initialize already exist); its next statement fails as an outage,
 * which the callers already wait out, and the pool drops it on release.
 */
function guardCheckedOutConnections(dataSource: DataSource, warn: RateLimitedWarn): void {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  pool?.on('acquire', (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', (error) => warn.warn('connection', `PostgreSQL connection lost: ${errorMessage(error)}`));
  });
}
