import { Logger } from '@nestjs/common';
import { register } from 'prom-client';
import { errorMessage, isDatabaseUnavailable, RateLimitedWarn } from '@app/persistence';
import { TransportUnavailableError } from '@app/transport';
import { DependencyGateOptions, waitForDependencies } from './dependency-gate';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** ioredis' ways of saying Redis is not there (as opposed to a command error). */
function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof TransportUnavailableError) return true;
  const e = error as { name?: unknown; message?: unknown } | null;
  return (
    e?.name === 'MaxRetriesPerRequestError' ||
    (typeof e?.message === 'string' && /^(Connection is closed|Stream isn't writeable)/.test(e.message))
  );
}

/** Whether a start-up failure is a dependency that went away again (retry), not a bug or bad configuration. */
export function isDependencyOutage(error: unknown): boolean {
  return isDatabaseUnavailable(error) || isRedisUnavailable(error);
}

/**
 * Waits for PostgreSQL and Redis (the start-up gate), then runs `start`; when start-up fails because a dependency
 * went away again in between, waits and starts over — so no outage at any moment of start-up makes the process
 * exit. `start` must release what it opened (close the Nest app) before it throws.
 */
export async function startWhenAvailable(
  gate: DependencyGateOptions,
  start: () => Promise<void>,
  logger = new Logger('Startup'),
  waitFor: typeof waitForDependencies = waitForDependencies,
): Promise<void> {
  const warn = new RateLimitedWarn(logger);
  for (let attempt = 1; ; attempt++) {
    await waitFor(gate, logger);
    try {
      return await start();
    } catch (error) {
      if (!isDependencyOutage(error)) throw error;
      warn.warn('restart', `start-up interrupted by an outage (${errorMessage(error)}); starting over`);
      // The failed attempt registered its metrics in prom-client's process-wide registry; the next one registers them
      // again and prom-client throws "already registered" (the fault campaign saw a registry exit on exactly that).
      register.clear();
      await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt - 1, 10)));
    }
  }
}
