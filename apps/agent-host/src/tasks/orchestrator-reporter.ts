import { Inject, Injectable } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import {
  ORCHESTRATOR_RESULTS_ADDRESS,
  TaskPatterns,
  TaskProgressMessage,
  TaskResultMessage,
  TaskStartedMessage,
  TaskWaitingMessage,
} from '@app/contracts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RedisStreamsClient } from '@app/transport';
import { BUS_CLIENT } from '../messaging/bus-client.provider';
import { boundResult } from '@app/edge';

/** Sends task progress and outcomes to the orchestrator's result stream; resolves once Redis stored them. */
@Injectable()
export class OrchestratorReporter {
  constructor(
    @Inject(BUS_CLIENT) private readonly client: RedisStreamsClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async started(message: TaskStartedMessage): Promise<void> {
    await this.emit(TaskPatterns.Started, message, message.agent_id, message.task_id);
  }

  async progress(message: TaskProgressMessage): Promise<void> {
    await this.emit(TaskPatterns.Progress, message, message.agent_id, message.task_id);
  }

  async waitingForModel(message: TaskWaitingMessage): Promise<void> {
    await this.emit(TaskPatterns.WaitingForModel, message, message.agent_id, message.task_id);
  }

  async result(message: TaskResultMessage): Promise<void> {
    const { taskResultMaxBytes, taskErrorMaxChars } = this.config.limits;
    const bounded = boundResult(message, { resultMaxBytes: taskResultMaxBytes, errorMaxChars: taskErrorMaxChars });
    await this.emit(TaskPatterns.Result, bounded, message.agent_id, message.task_id);
  }

  private async emit(pattern: string, payload: object, from: string, taskId: string): Promise<void> {
    await lastValueFrom(
      this.client.to(ORCHESTRATOR_RESULTS_ADDRESS).emit(pattern, payload, { from, correlationId: taskId }),
    );
  }
}
