import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import {
  attemptClaimKey,
  CANCEL_CHANNEL,
  cancelKey,
  currentAttemptKey,
  SUPERSEDE_CHANNEL,
  TaskExecuteMessage,
} from '@app/contracts';
import { REDIS_CLIENT } from './redis.module';

/**
 * Whether an attempt may run: canceled, superseded by a later attempt (`current`), a copy of an entry already
 * claimed for this attempt (`entry`), or still current.
 */
export type AttemptStanding =
  | { kind: 'current' }
  | { kind: 'canceled' }
  | { kind: 'superseded'; current: number }
  | { kind: 'duplicate'; entry: string };

/** The stream entry asking to run an attempt, and until when its claim must hold. */
export interface AttemptClaim {
  agentId: string;
  entryId: string;
  /** The attempt can not run or report after this instant (its start deadline or execution timeout). */
  until: Date;
}

/** The claim of the entry `entryId` carrying `m`: it holds until the attempt can no longer start or run. */
export function attemptClaimOf(m: TaskExecuteMessage, entryId: string): AttemptClaim {
  const until = Math.max(new Date(m.deadline).getTime(), Date.now() + (m.timeout_seconds ?? 0) * 1000);
  return { agentId: m.agent_id, entryId, until: new Date(until) };
}

// A claim outlives its attempt by this much (a copy delivered late is still recognised), and never less than this.
const CLAIM_MARGIN_MS = 10 * 60_000;
// Bounded so that a far deadline can not keep keys for days.
const CLAIM_MAX_MS = 24 * 3_600_000;

/**
 * Cancel signals from the orchestrator (read by agent hosts and the orchestrator's remote bridge): a key `cancelKey(task_id)` (for tasks not started yet) and a message on
 * CANCEL_CHANNEL whose payload is the task id (for tasks running now, on any host). Supersede signals likewise:
 * `currentAttemptKey(task_id)` holds the lowest attempt still allowed to run, and SUPERSEDE_CHANNEL carries
 * `<task_id>:<attempt>` to stop an older attempt that is running.
 */
@Injectable()
export class CancelSignals implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(CancelSignals.name);
  private readonly watchers = new Map<string, Set<AbortController>>();
  private readonly attempts = new WeakMap<AbortController, number>();
  private subscriber?: Redis;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.duplicate({ connectionName: 'agent-host:cancel-signals' });
    subscriber.on('error', (err: Error) => this.log.warn(`cancel subscriber: ${err.message}`));
    subscriber.on('message', (channel: string, payload: string) =>
      channel === SUPERSEDE_CHANNEL ? this.fireSuperseded(payload.trim()) : this.fire(payload.trim()),
    );
    this.subscriber = subscriber;
    await subscriber.subscribe(CANCEL_CHANNEL, SUPERSEDE_CHANNEL);
  }

  async onApplicationShutdown(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  /** True when the orchestrator already asked to cancel this task. */
  async isCanceled(taskId: string): Promise<boolean> {
    return (await this.redis.exists(cancelKey(taskId))) === 1;
  }

  /**
   * One round trip (the commands are pipelined): canceled, superseded, a copy, or free to run. With `claim`, the
   * first entry to ask claims the attempt (SET NX): a second entry for the same task and attempt is a copy (an
   * XADD re-sent by a producer's client after Redis restarted) and must not run; the original is either done or
   * still pending on its consumer, where a reclaim finds it. The same entry asking again is a redelivery: it runs.
   */
  async standing(taskId: string, attempt: number, claim?: AttemptClaim): Promise<AttemptStanding> {
    // Both sent before either answer (auto-pipelined); Promise.all so a failure of both leaves no rejection unhandled.
    const [holder, [canceled, current]] = await Promise.all([
      claim ? this.claim(taskId, attempt, claim) : null,
      this.redis.mget(cancelKey(taskId), currentAttemptKey(taskId)),
    ]);
    if (canceled !== null) return { kind: 'canceled' };
    const n = current === null ? NaN : Number(current);
    if (n > attempt) return { kind: 'superseded', current: n };
    return claim && holder && holder !== claim.entryId ? { kind: 'duplicate', entry: holder } : { kind: 'current' };
  }

  /** The entry that holds the attempt's claim before this call (null: this entry took it). */
  private claim(taskId: string, attempt: number, claim: AttemptClaim): Promise<string | null> {
    const ttl = Math.min(CLAIM_MAX_MS, Math.max(0, claim.until.getTime() - Date.now()) + CLAIM_MARGIN_MS);
    return this.redis.set(attemptClaimKey(claim.agentId, taskId, attempt), claim.entryId, 'PX', ttl, 'NX', 'GET');
  }

  /**
   * Aborts `controller` when a cancel signal for the task (or a supersede signal for this attempt) arrives. Watch
   * first, then check the keys, so a signal sent between the two is never missed; this check is the last before
   * the model call. Returns the function that stops watching.
   */
  async watch(taskId: string, controller: AbortController, attempt = 1): Promise<() => void> {
    this.attempts.set(controller, attempt);
    let set = this.watchers.get(taskId);
    if (!set) {
      set = new Set();
      this.watchers.set(taskId, set);
    }
    set.add(controller);
    const stop = () => {
      const current = this.watchers.get(taskId);
      current?.delete(controller);
      if (current?.size === 0) this.watchers.delete(taskId);
    };
    try {
      const standing = await this.standing(taskId, attempt);
      if (standing.kind === 'canceled') controller.abort(new TaskCanceledSignal(taskId));
      else if (standing.kind === 'superseded')
        controller.abort(new TaskSupersededSignal(taskId, attempt, standing.current));
    } catch (err) {
      // The pub/sub signal still reaches us; a failed EXISTS only loses the "canceled before start" shortcut.
      this.log.warn(`cancel check of ${taskId}: ${(err as Error).message}`);
    }
    return stop;
  }

  private fire(taskId: string): void {
    for (const controller of this.watchers.get(taskId) ?? []) controller.abort(new TaskCanceledSignal(taskId));
  }

  private fireSuperseded(payload: string): void {
    const sep = payload.lastIndexOf(':');
    const taskId = payload.slice(0, sep);
    const current = Number(payload.slice(sep + 1));
    for (const controller of this.watchers.get(taskId) ?? []) {
      const attempt = this.attempts.get(controller) ?? 1;
      if (attempt < current) controller.abort(new TaskSupersededSignal(taskId, attempt, current));
    }
  }
}

/** Abort reason of an attempt the orchestrator replaced by a later one: it stops, and its result is not used. */
export class TaskSupersededSignal extends Error {
  constructor(
    readonly taskId: string,
    readonly attempt: number,
    readonly current: number,
  ) {
    super(`superseded: attempt ${current} replaces attempt ${attempt}`);
    this.name = 'TaskSupersededSignal';
  }
}

/** Abort reason of a canceled task (a deadline uses TaskDeadlineSignal). */
export class TaskCanceledSignal extends Error {
  constructor(readonly taskId: string) {
    super(`task ${taskId} was canceled`);
    this.name = 'TaskCanceledSignal';
  }
}

export class TaskDeadlineSignal extends Error {
  constructor(readonly deadline: Date) {
    super(`deadline ${deadline.toISOString()} passed`);
    this.name = 'TaskDeadlineSignal';
  }
}
