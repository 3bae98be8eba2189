import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { OrchestratorMetrics } from '../../metrics/orchestrator-metrics';
import { TaskOutcomeNotice } from '../../tasks/task.types';
import { TaskEventsHub } from '../../tasks/task-events.hub';
import { OpenSpans } from '../../tracing/open-spans';
import { UsageRepository } from '../../usage/usage.repository';
import { TaskOutcome } from '../engine/workflow-engine';
import { WorkflowRunsRepository } from '../workflow-runs.repository';
import { RunChanges } from './run-changes';

const RECONCILE_EVERY_MS = 5_000;

/**
 * Advances runs as their tasks end: each outcome of a workflow task is applied to its run. After a
 * restart, and every few seconds, runs waiting for tasks that already ended are caught up (a missed
 * or failed notice is retried from the database). Owns the shutdown: no new changes, then the
 * queued ones settle.
 */
@Injectable()
export class TaskOutcomeFollower implements OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy {
  // The log context these warnings had before the service was split (operators search by it).
  private readonly log = new Logger('WorkflowsService');
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly changes: RunChanges,
    private readonly runs: WorkflowRunsRepository,
    private readonly hub: TaskEventsHub,
    private readonly metrics: OrchestratorMetrics,
    private readonly spans: OpenSpans,
    private readonly usage: UsageRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.hub.outcomes$.subscribe((notice) => this.onTaskOutcome(notice));
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    void this.reconcile();
  }

  private onTaskOutcome(notice: TaskOutcomeNotice): void {
    if (!notice.workflow_run_id || this.stopping) return;
    this.spans.end(`task:${notice.task_id}`, { status: notice.status, error: notice.error });
    void this.usage
      .costOfTask(notice.task_id)
      .then((c) => c && c.usd > 0 && this.metrics.workflowCost.inc({ workflow: c.workflow }, c.usd))
      .catch(() => undefined); // a metric, not a record: the attempt row holds the cost
    const outcome = toOutcome(notice.status, notice.result, notice.error);
    this.changes
      .change(notice.workflow_run_id, (engine, state) => engine.onTaskFinished(state, notice.task_id, outcome), true)
      .catch((error: unknown) =>
        // The periodic reconcile retries from the database.
        this.log.warn(
          `run ${notice.workflow_run_id} not advanced for task ${notice.task_id}: ${(error as Error).message}`,
        ),
      );
  }

  private async reconcile(): Promise<void> {
    if (this.stopping) return;
    try {
      for (const s of await this.runs.stalled()) {
        const outcome = toOutcome(s.status, s.result, s.error);
        await this.changes
          .change(s.run_id, (engine, state) => engine.onTaskFinished(state, s.task_id, outcome), true)
          .catch((error: unknown) => this.log.warn(`run ${s.run_id} not reconciled: ${(error as Error).message}`));
      }
    } catch (error) {
      this.log.warn(`workflow reconcile failed: ${(error as Error).message}`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.changes.drain();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}

/** A step's output is the agent's deliverable: agent hosts report {output, output_kind, model, usage}. */
function toOutcome(status: 'completed' | 'failed' | 'canceled', result: unknown, error: string | null): TaskOutcome {
  if (status !== 'completed') return { status, error: error ?? status };
  const wrapped = typeof result === 'object' && result !== null && !Array.isArray(result) && 'output' in result;
  return { status: 'completed', output: wrapped ? result.output : result };
}
