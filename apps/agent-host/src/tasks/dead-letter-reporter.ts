import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AGENT_ID_PATTERN, TaskExecuteMessage, TaskPatterns } from '@app/contracts';
import { DeadLetterEvent, RedisStreamsServer } from '@app/transport';
import { STREAM_SERVER } from '../hosting/stream-server.provider';
import { OrchestratorReporter } from './orchestrator-reporter';

/**
 * A task message that was dead-lettered (rejected as invalid, or delivered too often) would
 * otherwise only fail at its deadline. Reporting it as a failed attempt gives the task a clear
 * reason at once; the orchestrator records results idempotently, so a duplicate does no harm.
 */
@Injectable()
export class DeadLetterReporter implements OnModuleInit {
  private readonly log = new Logger(DeadLetterReporter.name);

  constructor(
    @Inject(STREAM_SERVER) private readonly server: RedisStreamsServer,
    private readonly reporter: OrchestratorReporter,
  ) {}

  onModuleInit(): void {
    this.server.onDeadLetter((event) => this.report(event));
  }

  async report(event: DeadLetterEvent): Promise<void> {
    if (event.message_type !== TaskPatterns.Execute || !event.envelope) return;
    const payload = event.envelope.payload as Partial<TaskExecuteMessage> | null;
    const taskId = payload?.task_id;
    const attempt = payload?.attempt;
    // Without a task id and attempt there is no task to fail: the entry stays for an operator.
    if (typeof taskId !== 'string' || !isUUID(taskId) || !Number.isInteger(attempt) || (attempt as number) < 1) return;
    if (!AGENT_ID_PATTERN.test(event.address)) return;
    const now = new Date().toISOString();
    await this.reporter.result({
      task_id: taskId,
      attempt: attempt as number,
      agent_id: event.address,
      status: 'failed',
      error: `dead_lettered (${event.reason}) after ${event.attempts} delivery attempt(s): ${event.error}`,
      started_at: now,
      completed_at: now,
    });
    this.log.warn(`task ${taskId} attempt ${attempt} failed: its message was dead-lettered (${event.reason})`);
  }
}
