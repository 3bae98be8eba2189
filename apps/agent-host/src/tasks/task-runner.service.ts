import { Injectable, Logger } from '@nestjs/common';
import { AgentAtCapacityError, AgentTask, createTask, NewTask, TaskStateError } from '@app/agents';
import { DomainException } from '@app/edge';
import { inSpan } from '@app/observability';
import { HostedAgents } from '../hosting/hosted-agents';
import { AgentMetrics } from '../metrics/agent-metrics';
import { RegistrationService } from '../registration/registration.service';
import { AgentStateService } from '../state/agent-state.service';
import { CancelSignals, TaskDeadlineSignal, TaskSupersededSignal } from '@app/persistence';

export interface RunOptions {
  deadline: Date;
  /** Called once the task holds a slot and is about to run (the stream path reports `task.started` here). */
  onStarted?: (task: AgentTask) => Promise<void>;
  /** Progress heartbeat while the task runs: called every heartbeatMs after it started. */
  heartbeatMs?: number;
  onHeartbeat?: () => Promise<void>;
}

/** A finished task plus how the host sees its end: a passed deadline is a failure, not a cancellation. */
export interface FinishedTask {
  task: AgentTask;
  outcome: 'completed' | 'failed' | 'canceled';
  error: string | null;
  error_type: string | null;
}

/**
 * Runs one task on a hosted agent, whatever brought it (stream or HTTP): capacity slot, cancel signal and deadline
 * wired to the agent's AbortSignal, metrics, load reports, and the agent's state saved afterwards.
 */
@Injectable()
export class TaskRunner {
  private readonly log = new Logger(TaskRunner.name);
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly agents: HostedAgents,
    private readonly cancels: CancelSignals,
    private readonly metrics: AgentMetrics,
    private readonly registration: RegistrationService,
    private readonly state: AgentStateService,
  ) {}

  /** Tasks running now on this host (all agents). */
  get activeCount(): number {
    return this.running.size;
  }

  /** Resolves when every task running now has finished (graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Runs the task to its end. Throws DomainException `unavailable` (AGENT_AT_CAPACITY) when the agent has no free
   * slot; every task-level failure is a `failed`/`canceled` result instead.
   */
  async run(agentId: string, spec: NewTask, options: RunOptions): Promise<FinishedTask> {
    const { runtime } = this.agents.get(agentId);
    const task = createTask(spec);
    try {
      runtime.assignTask(task);
    } catch (err) {
      if (err instanceof AgentAtCapacityError)
        throw new DomainException('unavailable', 'AGENT_AT_CAPACITY', err.message);
      if (err instanceof TaskStateError) {
        // From the bus (it reports starts): an older, superseded attempt of this task still holds its slot and
        // is stopping, so the entry is retried. Over HTTP: the same task_id sent twice at once, the caller's conflict.
        if (options.onStarted) throw new DomainException('unavailable', 'TASK_ATTEMPT_STOPPING', err.message);
        throw new DomainException('conflict', 'TASK_ALREADY_RUNNING', `task_id: ${err.message}`);
      }
      throw err;
    }
    const promise = this.runAssigned(agentId, task, options);
    this.running.add(promise);
    try {
      return await promise;
    } finally {
      this.running.delete(promise);
    }
  }

  private async runAssigned(agentId: string, task: AgentTask, options: RunOptions): Promise<FinishedTask> {
    const { runtime } = this.agents.get(agentId);
    const controller = new AbortController();
    let stopWatching: () => void = () => undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;
    let heartbeatTimer: NodeJS.Timeout | undefined;
    this.metrics.setActive(agentId, runtime.activeTaskCount);
    const started = performance.now();
    try {
      stopWatching = await this.cancels.watch(task.task_id, controller, task.attempt);
      const msLeft = options.deadline.getTime() - Date.now();
      if (msLeft <= 0) controller.abort(new TaskDeadlineSignal(options.deadline));
      else deadlineTimer = setTimeout(() => controller.abort(new TaskDeadlineSignal(options.deadline)), msLeft);
      this.registration.reportLoad(agentId);
      // Canceled before it started (signal already set): no `started` report, the agent ends it at once.
      if (!controller.signal.aborted) await options.onStarted?.(task);
      const beat = options.onHeartbeat;
      if (beat && options.heartbeatMs)
        heartbeatTimer = setInterval(
          () =>
            void beat().catch((err: unknown) =>
              this.log.warn(`heartbeat of ${task.task_id}: ${(err as Error).message}`),
            ),
          options.heartbeatMs,
        );
      await inSpan(
        `invoke_agent ${agentId}`,
        {
          attributes: {
            'gen_ai.operation.name': 'invoke_agent',
            'gen_ai.agent.id': agentId,
            'expert_agents.task_id': task.task_id,
            'expert_agents.attempt': task.attempt,
          },
        },
        async (span) => {
          await runtime.runTask(task, { signal: controller.signal });
          span.setAttribute('expert_agents.task.status', task.status);
        },
      );
    } catch (err) {
      // Only infrastructure failures get here (reporting `started`): give the slot back and let the caller retry.
      runtime.releaseTask(task.task_id);
      throw err;
    } finally {
      clearTimeout(deadlineTimer);
      clearInterval(heartbeatTimer);
      stopWatching();
      this.metrics.setActive(agentId, runtime.activeTaskCount);
    }
    const seconds = (performance.now() - started) / 1000;
    const finished = this.describe(task, controller.signal);
    this.metrics.taskFinished(agentId, finished.outcome, seconds);
    if (finished.error_type) this.metrics.error(agentId, finished.error_type);
    this.registration.reportLoad(agentId, seconds);
    await this.state.save(agentId);
    if (finished.outcome !== 'completed')
      this.log.log(`task ${task.task_id} on ${agentId} ended ${finished.outcome}: ${finished.error}`);
    return finished;
  }

  private describe(task: AgentTask, signal: AbortSignal): FinishedTask {
    if (task.status === 'canceled' && signal.reason instanceof TaskDeadlineSignal) {
      return {
        task,
        outcome: 'failed',
        error: `deadline_exceeded: ${signal.reason.message}`,
        error_type: 'deadline_exceeded',
      };
    }
    if (task.status === 'canceled' && signal.reason instanceof TaskSupersededSignal)
      return { task, outcome: 'canceled', error: signal.reason.message, error_type: null };
    const outcome = task.status === 'completed' || task.status === 'canceled' ? task.status : 'failed';
    return { task, outcome, error: task.error, error_type: outcome === 'canceled' ? null : task.error_type };
  }
}
