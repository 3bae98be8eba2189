import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@app/config';
import {
  CANCEL_CHANNEL,
  cancelKey,
  currentAttemptKey,
  SUPERSEDE_CHANNEL,
  TaskExecuteMessage,
  TaskPatterns,
} from '@app/contracts';
import { REDIS_CLIENT } from '@app/persistence';
import { RedisStreamsClient } from '@app/transport';

/** The orchestrator's side of the bus: task attempts to agent streams, cancel signals beside them. */
@Injectable()
export class TaskBus implements OnApplicationShutdown {
  private readonly client: RedisStreamsClient;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {
    this.client = new RedisStreamsClient({
      url: config.redisUrl,
      keyPrefix: config.transportKeyPrefix,
      from: 'orchestrator',
    });
  }

  /** Resolves once Redis acknowledged the append to the agent's stream. */
  async execute(message: TaskExecuteMessage): Promise<void> {
    await lastValueFrom(
      this.client.to(message.agent_id).emit(TaskPatterns.Execute, message, { correlationId: message.task_id }),
    );
  }

  /** Tells whichever host holds the task to stop: a flag that outlives the message, and a publish for speed. */
  async signalCancel(taskId: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(cancelKey(taskId), '1', 'EX', ttlSeconds);
    await this.redis.publish(CANCEL_CHANNEL, taskId);
  }

  /**
   * Attempts of the task below `attempt` are void: a host skips one it has not started (checked
   * before the model call) and stops one it is running. A flag that outlives the messages, and a publish for speed.
   */
  async supersede(taskId: string, attempt: number, ttlSeconds: number): Promise<void> {
    await this.redis.set(currentAttemptKey(taskId), String(attempt), 'EX', ttlSeconds);
    await this.redis.publish(SUPERSEDE_CHANNEL, `${taskId}:${attempt}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
