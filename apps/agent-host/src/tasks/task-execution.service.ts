import { Injectable, Logger } from '@nestjs/common';
import { DomainException } from '@app/edge';
import { TaskExecuteMessage, TaskResultMessage } from '@app/contracts';
import { HostedAgents } from '../hosting/hosted-agents';
import { attemptClaimOf, CancelSignals } from '@app/persistence';
import { OrchestratorReporter } from './orchestrator-reporter';
import { FinishedTask, TaskRunner } from './task-runner.service';

/**
 * One `task.execute` from an agent's stream: skip it if already canceled or overdue, else report `started`, run it
 * and report the result. Returns only after the result is stored, so the transport's ack follows the report.
 */
@Injectable()
export class TaskExecutionService {
  private readonly log = new Logger(TaskExecutionService.name);

  constructor(
    private readonly agents: HostedAgents,
    private readonly runner: TaskRunner,
    private readonly cancels: CancelSignals,
    private readonly reporter: OrchestratorReporter,
  ) {}

  /** `entryId`: the stream entry carrying the message; a second entry for the same attempt is a copy and never runs. */
  async execute(message: TaskExecuteMessage, address: string, entryId: string): Promise<void> {
    if (message.agent_id !== address) {
      throw new DomainException(
        'invalid',
        'WRONG_AGENT_STREAM',
        `task for ${message.agent_id} arrived on the stream of ${address}`,
      );
    }
    this.agents.get(message.agent_id); // not hosted here: a deliberate (dead-lettered) rejection
    const receivedAt = new Date().toISOString();
    const startBy = new Date(message.deadline);

    const standing = await this.cancels.standing(message.task_id, message.attempt, attemptClaimOf(message, entryId));
    if (standing.kind === 'duplicate') {
      // The entry that claimed this attempt runs it (or ran it); a report from here would be a second one.
      this.log.warn(
        `task ${message.task_id} attempt ${message.attempt}: entry ${entryId} is a copy of ${standing.entry}; not run`,
      );
      return;
    }
    if (standing.kind === 'canceled') {
      return this.reporter.result(this.skipped(message, 'canceled', 'canceled before it started', receivedAt));
    }
    if (standing.kind === 'superseded') {
      // Never executed: the orchestrator sent attempt `current` instead (and ignores this report).
      const error = `superseded: attempt ${standing.current} replaces attempt ${message.attempt}`;
      return this.reporter.result(this.skipped(message, 'canceled', error, receivedAt));
    }
    if (startBy.getTime() <= Date.now()) {
      const error = `deadline_exceeded: deadline ${startBy.toISOString()} passed before the task started`;
      return this.reporter.result(this.skipped(message, 'failed', error, receivedAt));
    }
    // The execution timeout counts from this attempt's own start, not from when it was queued.
    const deadline = message.timeout_seconds ? new Date(Date.now() + message.timeout_seconds * 1000) : startBy;

    const finished = await this.runWhenSlotFree(message, deadline);
    await this.reporter.result(this.resultMessage(message, finished));
  }

  /** The transport delivers no more than the agent's capacity, but HTTP tasks share the slots: wait for one (no polling). */
  private async runWhenSlotFree(message: TaskExecuteMessage, deadline: Date): Promise<FinishedTask> {
    for (;;) {
      try {
        return await this.runner.run(
          message.agent_id,
          {
            task_id: message.task_id,
            title: message.title,
            description: message.description,
            input: message.input,
            attempt: message.attempt,
            ...(message.budget ? { budget: message.budget } : {}),
          },
          {
            deadline,
            heartbeatMs: message.heartbeat_seconds ? message.heartbeat_seconds * 1000 : undefined,
            onHeartbeat: () =>
              this.reporter.progress({
                task_id: message.task_id,
                attempt: message.attempt,
                agent_id: message.agent_id,
              }),
            onStarted: (task) =>
              this.reporter.started({
                task_id: message.task_id,
                attempt: message.attempt,
                agent_id: message.agent_id,
                started_at: task.started_at ?? new Date().toISOString(),
              }),
          },
        );
      } catch (err) {
        // No slot yet, or the superseded attempt of this task is still stopping here: wait for it.
        const atCapacity =
          err instanceof DomainException && (err.code === 'AGENT_AT_CAPACITY' || err.code === 'TASK_ATTEMPT_STOPPING');
        const left = deadline.getTime() - Date.now();
        if (!atCapacity || left <= 0) throw err;
        // Woken when a slot frees (or this task's stopping attempt lets go of its slot), at the latest at the deadline.
        const taskId = err.code === 'TASK_ATTEMPT_STOPPING' ? message.task_id : undefined;
        await this.agents.get(message.agent_id).runtime.whenFree(taskId, AbortSignal.timeout(left));
      }
    }
  }

  private resultMessage(message: TaskExecuteMessage, finished: FinishedTask): TaskResultMessage {
    const { task } = finished;
    const now = new Date().toISOString();
    const result: TaskResultMessage = {
      task_id: message.task_id,
      attempt: message.attempt,
      agent_id: message.agent_id,
      status: finished.outcome,
      started_at: task.started_at ?? now,
      completed_at: task.completed_at ?? now,
      usage: {
        input_tokens: task.usage.input_tokens,
        output_tokens: task.usage.output_tokens,
        ...(task.usage.cached_input_tokens ? { cached_input_tokens: task.usage.cached_input_tokens } : {}),
      },
      ...(task.cost_usd !== undefined ? { cost_usd: task.cost_usd } : {}),
    };
    if (finished.outcome === 'completed' && task.result) {
      result.result = { ...task.result };
      result.model = task.result.model;
    }
    if (finished.error) result.error = finished.error;
    return result;
  }

  private skipped(
    message: TaskExecuteMessage,
    status: 'canceled' | 'failed',
    error: string,
    at: string,
  ): TaskResultMessage {
    this.log.log(`task ${message.task_id} on ${message.agent_id} not run: ${error}`);
    return {
      task_id: message.task_id,
      attempt: message.attempt,
      agent_id: message.agent_id,
      status,
      error,
      started_at: at,
      completed_at: at,
    };
  }
}
