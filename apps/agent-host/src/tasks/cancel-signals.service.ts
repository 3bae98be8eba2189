import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { CANCEL_CHANNEL, cancelKey } from '@app/contracts';
import { REDIS_CLIENT } from '@app/persistence';

/**
 * Cancel signals from the orchestrator: a key `cancelKey(task_id)` (for tasks not started yet) and a message on
 * CANCEL_CHANNEL whose payload is the task id (for tasks running now, on any host).
 */
@Injectable()
export class CancelSignals implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(CancelSignals.name);
  private readonly watchers = new Map<string, Set<AbortController>>();
  private subscriber?: Redis;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.duplicate({ connectionName: 'agent-host:cancel-signals' });
    subscriber.on('error', (err: Error) => this.log.warn(`cancel subscriber: ${err.message}`));
    subscriber.on('message', (_channel: string, taskId: string) => this.fire(taskId.trim()));
    this.subscriber = subscriber;
    await subscriber.subscribe(CANCEL_CHANNEL);
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
   * Aborts `controller` when a cancel signal for the task arrives. Watch first, then check the key, so a signal
   * sent between the two is never missed. Returns the function that stops watching.
   */
  async watch(taskId: string, controller: AbortController): Promise<() => void> {
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
      if (await this.isCanceled(taskId)) controller.abort(new TaskCanceledSignal(taskId));
    } catch (err) {
      // The pub/sub signal still reaches us; a failed EXISTS only loses the "canceled before start" shortcut.
      this.log.warn(`cancel check of ${taskId}: ${(err as Error).message}`);
    }
    return stop;
  }

  private fire(taskId: string): void {
    for (const controller of this.watchers.get(taskId) ?? []) controller.abort(new TaskCanceledSignal(taskId));
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
