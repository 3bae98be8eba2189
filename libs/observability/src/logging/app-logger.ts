import { LoggerService } from '@nestjs/common';
import pino, { Level, Logger } from 'pino';
import { traceLogFields, tracingEnabled } from '../tracing/tracing';

const NEST_TO_PINO: Record<string, Level> = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
};

/**
 * Nest's logger backed by one pino instance: JSON lines with service, pid and the Nest context.
 * It keeps no per-request context (no AsyncLocalStorage): on Node 20 that enables promise hooks
 * for every promise in the process, which cost the orchestrator ~15% of its throughput
 * (docs/decisions/0003). Request lines carry their request id (see logRequest).
 */
export class AppLogger implements LoggerService {
  readonly pino: Logger;

  constructor(service: string, level: string, destination?: pino.DestinationStream) {
    // trace_id/span_id on every line written inside a span; no mixin at all when tracing is off.
    const options = {
      level,
      base: { service, pid: process.pid },
      ...(tracingEnabled() ? { mixin: traceLogFields } : {}),
    };
    // stdout, written synchronously: no line is lost when a process exits or crashes.
    this.pino = destination ? pino(options, destination) : pino(options);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Flushes buffered lines (before the process exits). */
  flush(): void {
    this.pino.flush();
  }

  /**
   * Nest calls `log(message, context)`, `error(message, stack, context)` and, from our own code,
   * `error({ ...fields }, message, context)`: the last string argument is the context.
   */
  private write(method: string, message: unknown, rest: unknown[]): void {
    const level = NEST_TO_PINO[method];
    if (!this.pino.isLevelEnabled(level)) return;
    const args = [...rest];
    const context = args.length > 0 && typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    let text: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
      text = message.message;
    } else if (message !== null && typeof message === 'object') {
      Object.assign(fields, message);
      if (typeof args[0] === 'string') text = args.shift() as string;
    } else {
      text = String(message);
    }
    // error(message, stack): the stack of an error Nest caught.
    if (method === 'error' && typeof args[0] === 'string' && args[0].includes('\n')) fields.stack = args.shift();
    this.pino[level](fields, text);
  }
}

const QUIET_PATHS = /^\/(metrics|health)(\/|$|\?)/;

/** One line per answered request (not health or metrics), at a level that follows the status. */
export function logRequest(
  logger: AppLogger,
  request: { id: string; method: string; url: string },
  statusCode: number,
  responseTimeMs: number,
): void {
  const level: Level = statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
  if (!logger.pino.isLevelEnabled(level) || QUIET_PATHS.test(request.url)) return;
  logger.pino[level](
    {
      request_id: request.id,
      req: { method: request.method, url: request.url },
      res: { statusCode },
      responseTime: Math.round(responseTimeMs * 10) / 10,
    },
    'request completed',
  );
}
