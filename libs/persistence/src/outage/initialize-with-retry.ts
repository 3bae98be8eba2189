import { Logger } from '@nestjs/common';
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
      return await dataSource.initialize();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const delay = Math.min(delays.maxMs, delays.initialMs * 2 ** Math.min(attempt - 1, 20));
      warn.warn('connect', `PostgreSQL unreachable (${errorMessage(error)}); waiting (attempt ${attempt})`);
      await sleep(delay);
    }
  }
}
