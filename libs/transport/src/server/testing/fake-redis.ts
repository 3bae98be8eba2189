import type { RedisConnection } from '../../redis-connection';
import { transportMetrics } from '../../transport.metrics';
import { resolveServerOptions, RedisStreamsServerOptions, ResolvedServerOptions } from '../../transport.options';
import { Lane, newLane } from '../lane';
import { ServerLog } from '../server-log';

/** One Redis command as the server's parts sent it: name and arguments. */
export type Command = [name: string, ...args: unknown[]];

const COMMANDS = new Set([
  'xack', 'xadd', 'xautoclaim', 'xclaim', 'xgroup', 'xinfo', 'xlen', 'xpending', 'xreadgroup', 'xtrim', 'pexpire',
]); // prettier-ignore

/**
 * A stand-in for the server's command connection, for unit tests: records every command (MULTI blocks as one
 * `['multi', [...commands]]`) and answers from `replies` (by command name; a throw becomes a rejection) or with 'OK'. `fail` makes a command
 * name reject with the given error.
 */
export class FakeRedis {
  readonly commands: Command[] = [];
  readonly replies = new Map<string, (...args: unknown[]) => unknown>();
  readonly fail = new Map<string, Error>();

  connection(): RedisConnection {
    return new Proxy(this, {
      get: (target, name) => {
        if (name === 'multi') return () => target.block('multi');
        if (name === 'pipeline') return () => target.block('pipeline');
        // Only commands: anything else (Jest's matcher probes, `then`) must look absent.
        if (typeof name !== 'string' || !COMMANDS.has(name)) return undefined;
        return (...args: unknown[]) => target.run(name, args, target.commands);
      },
    }) as unknown as RedisConnection;
  }

  /** The commands named `name`, outside and inside MULTI blocks. */
  sent(name: string): unknown[][] {
    const flat = this.commands.flatMap((c) => (c[0] === 'multi' ? (c[1] as Command[]) : [c]));
    return flat.filter((c) => c[0] === name).map((c) => c.slice(1));
  }

  private run(name: string, args: unknown[], log: Command[]): Promise<unknown> {
    log.push([name, ...args]);
    const failure = this.fail.get(name);
    if (failure) return Promise.reject(failure);
    const reply = this.replies.get(name);
    try {
      return Promise.resolve(reply ? reply(...args) : 'OK');
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** MULTI and pipelines: chained commands, sent together on exec(). */
  private block(kind: 'multi' | 'pipeline'): unknown {
    const queued: Command[] = [];
    const chain: Record<string, unknown> = new Proxy(
      {},
      {
        get: (_t, name: string) => {
          if (name === 'exec') {
            return async () => {
              this.commands.push([kind, queued]);
              const failure = this.fail.get(kind);
              if (failure) throw failure;
              const log: Command[] = [];
              return Promise.all(
                queued.map(([n, ...a]) =>
                  this.run(n, a, log).then(
                    (r) => [null, r],
                    (e: unknown) => [e, null],
                  ),
                ),
              );
            };
          }
          return (...args: unknown[]) => {
            queued.push([name, ...args]);
            return chain;
          };
        },
      },
    );
    return chain;
  }
}

export function testOptions(overrides: Partial<RedisStreamsServerOptions> = {}): ResolvedServerOptions {
  return resolveServerOptions({ addresses: ['DEV-001'], consumerName: 'c1', ...overrides });
}

export function testLane(overrides: Partial<Lane> = {}): Lane {
  const lane = newLane({
    address: 'DEV-001',
    key: 'ea:{DEV-001}:stream',
    dlqKey: 'ea:{DEV-001}:dlq',
    group: 'workers',
    startId: '0',
    concurrency: 2,
    reader: new FakeRedis().connection(),
  });
  return Object.assign(lane, overrides);
}

/** A ServerLog whose lines are collected instead of printed. */
export function testLog(): { log: ServerLog; lines: string[] } {
  const lines: string[] = [];
  const sink = {
    log: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
  };
  return { log: new ServerLog(sink as never), lines };
}

export const metrics = transportMetrics();

/** Lets setImmediate callbacks and the promise chains they start run. */
export const settle = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)));
