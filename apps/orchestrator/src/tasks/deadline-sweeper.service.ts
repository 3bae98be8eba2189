import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTransaction } from '@app/persistence';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskBus } from '../bus/task-bus.service';
import { OrchestratorMetrics } from '../metrics/orchestrator-metrics';
import { RoutingService } from '../routing/routing.service';
import { claimQueueExpired, queueTimeoutReason } from './sql';
import { Dispatcher, Sent } from './dispatcher.service';
import { TaskEventsHub } from './task-events.hub';
import { claimOverdue, FinishedRow, markDispatched, markFailed, Sql, sqlOf, timeOutAttempts } from './sql';

const SWEEP_BATCH = 200;
const PENDING_GAUGE_EVERY_MS = 5_000;
/** Superseded/cancel flags outlive any copy of the message still on a stream. */
const SIGNAL_TTL_SECONDS = 3600;

/**
 * The timeouts (docs/decisions/0081). An attempt past its deadline (not started within the start
 * timeout, or not finished within the execution timeout counted from its start) is timed out and
 * superseded: the host skips or stops it, and the task is sent again, to another agent when one
 * has a free slot, until max_attempts; then the task fails with the reason. A task not started
 * within its queue timeout fails with the reason. Rows are claimed with FOR UPDATE SKIP LOCKED,
 * so replicas share the work.
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
      .then(() => this.expireQueued())
      .catch((error: unknown) => this.log.warn(`deadline sweep failed: ${(error as Error).message}`))
      .finally(() => (this.sweeping = undefined));
  }

  private async sweep(): Promise<void> {
    let redispatched: Sent[] = [];
    let failed: FinishedRow[] = [];
    let superseded: { task_id: string; attempt: number }[] = [];
    let requeued = 0;
    // Slots leased for re-dispatches inside the transaction: given back if it rolls back (no attempt will use them).
    const leased: { agent: string; task_id: string; attempt: number }[] = [];
    const done = await this.inTransaction(async (sql) => {
      const overdue = await claimOverdue(sql, SWEEP_BATCH);
      if (overdue.length === 0) return false;
      const now = Date.now();
      for (const row of overdue) this.routing.release(row.previous_agent_id, row.task_id, row.current_attempt);
      const plans = await Promise.all(
        overdue.map(async (row) => {
          if (row.current_attempt >= row.max_attempts) return { row, action: 'fail' as const };
          const outcome = await this.dispatcher.leaseFast(row);
          if (!('agent_id' in outcome)) return { row, action: 'requeue' as const };
          leased.push({ agent: outcome.agent_id, task_id: row.task_id, attempt: row.attempt });
          return { row, action: 'redispatch' as const, agent: outcome.agent_id };
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
          ? [{ candidate: p.row, item: this.dispatcher.item(p.row, p.agent, now, 'deadline') }]
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
            error: `deadline exceeded: attempt ${p.row.current_attempt} of ${p.row.max_attempts}${p.row.previous_agent_id ? ` on ${p.row.previous_agent_id}` : ''} ${
              !p.row.started
                ? `did not start within ${this.config.dispatch.startTimeoutSeconds} s`
                : p.row.heartbeat_missed
                  ? `sent no progress heartbeat within ${p.row.heartbeat_timeout_seconds} s`
                  : `did not finish within ${p.row.timeout_seconds} s`
            }`,
          })),
      );
      return async () => {
        const applied = new Set(dispatchedEvents.map((e) => e.task_id));
        redispatched = items.filter((i) => applied.has(i.item.task_id));
        for (const i of items)
          if (!applied.has(i.item.task_id)) this.routing.release(i.item.agent_id, i.item.task_id, i.item.attempt);
        requeued = plans.filter((p) => p.action === 'requeue').length;
        superseded = overdue.map((r) => ({ task_id: r.task_id, attempt: r.current_attempt + 1 }));
        this.hub.publishEvents([...timedOut, ...dispatchedEvents, ...failed]);
        await Promise.resolve();
      };
    }).catch((error: unknown) => {
      for (const l of leased) this.routing.release(l.agent, l.task_id, l.attempt);
      throw error;
    });
    if (!done) return;
    if (redispatched.length + requeued > 0)
      this.metrics.redispatches.inc({ reason: 'deadline' }, redispatched.length + requeued);
    // Before the new attempt goes out: the old one must never run (or must stop) from now on.
    await Promise.all(superseded.map((s) => this.supersede(s.task_id, s.attempt)));
    await this.dispatcher.publish(redispatched);
    this.finishFailed(failed);
    this.dispatcher.slotFreed();
    if (requeued > 0) this.dispatcher.scanSoon();
  }

  /** Tasks not started within their queue timeout fail with the reason (an attempt still waiting on a stream is voided). */
  private async expireQueued(): Promise<void> {
    let failed: FinishedRow[] = [];
    let dispatched: { task_id: string; attempt: number; agent_id: string | null }[] = [];
    await this.inTransaction(async (sql) => {
      const expired = await claimQueueExpired(sql, SWEEP_BATCH);
      if (expired.length === 0) return false;
      dispatched = expired.filter((r) => r.dispatched);
      const timedOut = await timeOutAttempts(
        sql,
        dispatched.map((r) => ({ task_id: r.task_id, attempt: r.attempt, agent_id: r.agent_id, requeue: false })),
      );
      failed = await markFailed(
        sql,
        expired.map((r) => ({ task_id: r.task_id, attempt: r.attempt, error: queueTimeoutReason(r) })),
      );
      return async () => {
        this.hub.publishEvents([...timedOut, ...failed]);
        await Promise.resolve();
      };
    });
    for (const d of dispatched) {
      this.routing.release(d.agent_id, d.task_id, d.attempt);
      await this.supersede(d.task_id, d.attempt + 1);
    }
    if (dispatched.length > 0) this.dispatcher.slotFreed();
    this.finishFailed(failed);
  }

  private finishFailed(failed: FinishedRow[]): void {
    for (const f of failed) {
      this.metrics.tasksTotal.inc({ status: 'failed' });
      this.metrics.taskDuration.observe({ status: 'failed' }, this.metrics.sinceSeconds(f.task_created_at));
      // The host that still holds the last attempt should stop.
      void this.bus.signalCancel(f.task_id, SIGNAL_TTL_SECONDS).catch(() => undefined);
      this.hub.publishOutcome({
        task_id: f.task_id,
        workflow_run_id: f.workflow_run_id,
        status: 'failed',
        result: null,
        error: (f.detail?.error as string) ?? 'deadline exceeded',
        agent_id: f.agent_id,
      });
    }
  }

  private supersede(taskId: string, attempt: number): Promise<void> {
    return this.bus.supersede(taskId, attempt, SIGNAL_TTL_SECONDS).catch((error: unknown) => {
      // The attempt row says it is over: its result is ignored even if the host runs it.
      this.log.warn(`supersede signal for ${taskId} not sent: ${(error as Error).message}`);
    });
  }

  /** Runs `work` in a transaction; what it returns runs after the commit (false: nothing to commit). */
  private async inTransaction(work: (sql: Sql) => Promise<false | (() => Promise<void>)>): Promise<boolean> {
    const after = await inTransaction(this.dataSource, async (runner) => work(await sqlOf(runner)));
    if (after === false) return false;
    await after();
    return true;
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
