import { LoggerService } from '@nestjs/common';
import pino, { Level, Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { traceLogFields, tracingEnabled } from '../tracing/tracing';

const NEST_TO_PINO: Record<string, Level> = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
};

const NEST_STARTUP = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestMicroservice']);

/** Colored one-line records for a person at a terminal (LOG_FORMAT=pretty), written synchronously. */
function prettyStream(destination?: pino.DestinationStream): pino.DestinationStream {
  return pinoPretty({
    sync: true,
    destination: destination ?? 1,
    colorize: destination === undefined,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    ignore: 'pid,hostname,service,context,req,res,responseTime',
    messageFormat: (log, messageKey) => prettyMessage(log, messageKey),
  });
}

/** `service [Context] message`; a request line reads `service GET /api/tasks 202 3.1 ms`. */
function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const context = typeof log.context === 'string' ? ` [${log.context}]` : '';
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  const text =
    req?.method && res?.statusCode !== undefined
      ? `${req.method} ${req.url} ${res.statusCode} ${String(log.responseTime)} ms`
      : typeof log[messageKey] === 'string'
        ? log[messageKey]
        : '';
  return `${String(log.service)}${context} ${text}`;
}

/**
 * Nest's logger backed by one pino instance: JSON lines with service, pid and the Nest context.
 * It keeps no per-request context (no AsyncLocalStorage): on Node 20 that enables promise hooks
 * for every promise in the process, which cost the orchestrator ~15% of its throughput
 * (docs/decisions/0003). Request lines carry their request id (see logRequest).
 */
export class AppLogger implements LoggerService {
  readonly pino: Logger;

  constructor(
    service: string,
    level: string,
    destination?: pino.DestinationStream,
    format: 'json' | 'pretty' = 'json',
  ) {
    // trace_id/span_id on every line written inside a span; no mixin at all when tracing is off.
    const options = {
      level,
      base: { service, pid: process.pid },
      ...(tracingEnabled() ? { mixin: traceLogFields } : {}),
    };
    // stdout, written synchronously: no line is lost when a process exits or crashes.
    if (format === 'pretty') this.pino = pino(options, prettyStream(destination));
    else this.pino = destination ? pino(options, destination) : pino(options);
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
    let level = NEST_TO_PINO[method];
    // Nest's start-up chatter (one line per module and per route) is debug detail, not news.
    if (
      level === 'info' &&
      typeof rest[rest.length - 1] === 'string' &&
      NEST_STARTUP.has(rest[rest.length - 1] as string)
    ) {
      level = 'debug';
    }
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
// The apps' own traffic with the registry (every agent beats every HEARTBEAT_INTERVAL_SECONDS, reports
// its load on every task, is discovered on every dispatch) is routine when it succeeds: debug.
const ROUTINE_PATHS = /^\/api\/agents\/(register|discover(\/[^/?]+)?|[^/]+\/(heartbeat|load))(\?|$)/;

/** One line per answered request (not health or metrics), at a level that follows the status. */
export function logRequest(
  logger: AppLogger,
  request: { id: string; method: string; url: string },
  statusCode: number,
  responseTimeMs: number,
): void {
  const level: Level =
    statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : ROUTINE_PATHS.test(request.url) ? 'debug' : 'info';
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
