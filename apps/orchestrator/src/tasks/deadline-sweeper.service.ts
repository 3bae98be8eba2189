import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskBus } from '../bus/task-bus.service';
import { OrchestratorMetrics } from '../metrics/orchestrator-metrics';
import { RoutingService } from '../routing/routing.service';
import { Dispatcher } from './dispatcher.service';
import { TaskEventsHub } from './task-events.hub';
import { claimOverdue, FinishedRow, markDispatched, markFailed, OverdueRow, sqlOf, timeOutAttempts } from './task-sql';
import { DispatchItem } from './task.types';

const SWEEP_BATCH = 200;
const PENDING_GAUGE_EVERY_MS = 5_000;

/**
 * Attempts past their deadline (the agent died, hung or never read its stream) are timed out and
 * the task is sent again, to another agent when one exists, until max_attempts; then the task
 * fails with the reason. Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas share the work.
 */
@Injectable()
export class DeadlineSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(DeadlineSweeper.name);
  private timer?: NodeJS.Timeout;
  private gaugeTimer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly routing: RoutingService,
    private readonly dispatcher: Dispatcher,
    private readonly bus: TaskBus,
    private readonly hub: TaskEventsHub,
    private readonly metrics: OrchestratorMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.sweepSoon(), this.config.orchestrator.deadlineSweepMs);
    this.gaugeTimer = setInterval(() => void this.refreshPendingGauge(), PENDING_GAUGE_EVERY_MS);
    void this.refreshPendingGauge();
  }

  sweepSoon(): void {
    if (this.sweeping) return;
    this.sweeping = this.sweep()
      .catch((error: unknown) => this.log.warn(`deadline sweep failed: ${(error as Error).message}`))
      .finally(() => (this.sweeping = undefined));
  }

  private async sweep(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let redispatched: { candidate: OverdueRow; item: DispatchItem }[] = [];
    let failed: FinishedRow[] = [];
    let requeued = 0;
    try {
      await runner.startTransaction();
      const sql = await sqlOf(runner);
      const overdue = await claimOverdue(sql, SWEEP_BATCH);
      if (overdue.length === 0) {
        await runner.commitTransaction();
        return;
      }
      const now = Date.now();
      const plans = await Promise.all(
        overdue.map(async (row) => {
          this.routing.release(row.previous_agent_id);
          if (row.current_attempt >= row.max_attempts) return { row, action: 'fail' as const };
          const agent = await this.routing.pick(
            {
              agent_id: row.requested_agent_id,
              role: row.role,
              capability: row.capability,
              min_proficiency: row.min_proficiency,
            },
            row.previous_agent_id,
          );
          return agent === undefined
            ? { row, action: 'requeue' as const }
            : { row, action: 'redispatch' as const, agent };
        }),
      );
      const timedOut = await timeOutAttempts(
        sql,
        plans.map((p) => ({
          task_id: p.row.task_id,
          attempt: p.row.current_attempt,
          agent_id: p.row.previous_agent_id,
          requeue: p.action === 'requeue',
        })),
      );
      const items = plans.flatMap((p) =>
        p.action === 'redispatch'
          ? [
              {
                candidate: p.row,
                item: {
                  task_id: p.row.task_id,
                  attempt: p.row.attempt,
                  agent_id: p.agent,
                  deadline: new Date(now + p.row.timeout_seconds * 1000).toISOString(),
                  at: new Date(now).toISOString(),
                  reason: 'deadline',
                },
              },
            ]
          : [],
      );
      const dispatchedEvents = await markDispatched(
        sql,
        items.map((i) => i.item),
      );
      failed = await markFailed(
        sql,
        plans
          .filter((p) => p.action === 'fail')
          .map((p) => ({
            task_id: p.row.task_id,
            attempt: p.row.current_attempt,
            error: `deadline exceeded: attempt ${p.row.current_attempt} of ${p.row.max_attempts}${p.row.previous_agent_id ? ` on ${p.row.previous_agent_id}` : ''} did not finish within ${p.row.timeout_seconds} s`,
          })),
      );
      await runner.commitTransaction();
      const applied = new Set(dispatchedEvents.map((e) => e.task_id));
      redispatched = items.filter((i) => applied.has(i.item.task_id));
      for (const i of items) if (!applied.has(i.item.task_id)) this.routing.release(i.item.agent_id);
      requeued = plans.filter((p) => p.action === 'requeue').length;
      this.hub.publishEvents([...timedOut, ...dispatchedEvents, ...failed]);
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    if (redispatched.length + requeued > 0)
      this.metrics.redispatches.inc({ reason: 'deadline' }, redispatched.length + requeued);
    await this.dispatcher.publish(redispatched);
    for (const f of failed) {
      this.metrics.tasksTotal.inc({ status: 'failed' });
      this.metrics.taskDuration.observe({ status: 'failed' }, this.metrics.sinceSeconds(f.task_created_at));
      // The host that still holds the last attempt should stop.
      void this.bus.signalCancel(f.task_id, 3600).catch(() => undefined);
      this.hub.publishOutcome({
        task_id: f.task_id,
        workflow_run_id: f.workflow_run_id,
        status: 'failed',
        result: null,
        error: (f.detail?.error as string) ?? 'deadline exceeded',
        agent_id: f.agent_id,
      });
    }
    if (requeued > 0) this.dispatcher.scanSoon();
  }

  private async refreshPendingGauge(): Promise<void> {
    try {
      const rows: { n: string }[] = await this.dataSource.query(
        `SELECT count(*)::text AS n FROM task_history WHERE status = 'pending'`,
      );
      this.metrics.pending.set(Number(rows[0].n));
    } catch {
      // the next refresh will tell
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.gaugeTimer) clearInterval(this.gaugeTimer);
    await this.sweeping;
  }
}
