import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskBus } from '../bus/task-bus.service';
import { OrchestratorMetrics } from '../metrics/orchestrator-metrics';
import { Lease } from '../routing/routing.service';
import { FinishedRow, queueTimeoutReason } from './sql';
import { Dispatcher, Sent } from './dispatcher.service';
import { TaskStore } from './store';

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
 * so replicas share the work. Events, outcomes, metrics and freed slots of what it commits follow
 * from the task store's published commit; this adds the bus signals and the re-sent attempts.
 */
@Injectable()
export class DeadlineSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(DeadlineSweeper.name);
  private timer?: NodeJS.Timeout;
  private gaugeTimer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: TaskStore,
    private readonly dispatcher: Dispatcher,
    private readonly bus: TaskBus,
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
    const leased: Lease[] = [];
    // Re-dispatches the statement did not apply (the task changed meanwhile): their new leases go back once committed.
    let unapplied: Lease[] = [];
    const done = await this.store
      .change(async (tx) => {
        const overdue = await tx.claimOverdue(SWEEP_BATCH);
        if (overdue.length === 0) return false;
        const now = Date.now();
        // Freed before leasing, so a re-dispatch may take the slot the overdue attempt held.
        this.dispatcher.freeSlots(
          overdue.map((row) => ({
            agent_id: row.previous_agent_id,
            task_id: row.task_id,
            attempt: row.current_attempt,
          })),
        );
        const plans = await Promise.all(
          overdue.map(async (row) => {
            if (row.current_attempt >= row.max_attempts) return { row, action: 'fail' as const };
            const outcome = await this.dispatcher.leaseFast(row);
            if (!('agent_id' in outcome)) return { row, action: 'requeue' as const };
            leased.push(outcome);
            return { row, action: 'redispatch' as const, lease: outcome };
          }),
        );
        await tx.timeOutAttempts(
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
                  item: this.dispatcher.item(p.row, p.lease.agent_id, now, 'deadline'),
                  lease: p.lease,
                },
              ]
            : [],
        );
        const dispatchedEvents = await tx.markDispatched(items.map((i) => i.item));
        failed = await tx.markFailed(
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
        const applied = new Set(dispatchedEvents.map((e) => e.task_id));
        redispatched = items.filter((i) => applied.has(i.item.task_id));
        unapplied = items.filter((i) => !applied.has(i.item.task_id)).map((i) => i.lease);
        requeued = plans.filter((p) => p.action === 'requeue').length;
        superseded = overdue.map((r) => ({ task_id: r.task_id, attempt: r.current_attempt + 1 }));
        return true;
      })
      .catch((error: unknown) => {
        for (const lease of leased) lease.release();
        throw error;
      });
    if (!done) return;
    for (const lease of unapplied) lease.release();
    if (redispatched.length + requeued > 0)
      this.metrics.redispatches.inc({ reason: 'deadline' }, redispatched.length + requeued);
    // Before the new attempt goes out: the old one must never run (or must stop) from now on.
    await Promise.all(superseded.map((s) => this.supersede(s.task_id, s.attempt)));
    await this.dispatcher.publish(redispatched.map((r) => ({ candidate: r.candidate, item: r.item })));
    this.stopFailed(failed);
    this.dispatcher.slotFreed();
    if (requeued > 0) this.dispatcher.scanSoon();
  }

  /** Tasks not started within their queue timeout fail with the reason (an attempt still waiting on a stream is voided). */
  private async expireQueued(): Promise<void> {
    let failed: FinishedRow[] = [];
    let dispatched: { task_id: string; attempt: number; agent_id: string | null }[] = [];
    await this.store.change(async (tx) => {
      const expired = await tx.claimQueueExpired(SWEEP_BATCH);
      if (expired.length === 0) return;
      dispatched = expired.filter((r) => r.dispatched);
      await tx.timeOutAttempts(
        dispatched.map((r) => ({ task_id: r.task_id, attempt: r.attempt, agent_id: r.agent_id, requeue: false })),
      );
      tx.free(dispatched);
      failed = await tx.markFailed(
        expired.map((r) => ({ task_id: r.task_id, attempt: r.attempt, error: queueTimeoutReason(r) })),
      );
    });
    for (const d of dispatched) await this.supersede(d.task_id, d.attempt + 1);
    this.stopFailed(failed);
  }

  /** The host that still holds a failed task's last attempt should stop. */
  private stopFailed(failed: FinishedRow[]): void {
    for (const f of failed) void this.bus.signalCancel(f.task_id, SIGNAL_TTL_SECONDS).catch(() => undefined);
  }

  private supersede(taskId: string, attempt: number): Promise<void> {
    return this.bus.supersede(taskId, attempt, SIGNAL_TTL_SECONDS).catch((error: unknown) => {
      // The attempt row says it is over: its result is ignored even if the host runs it.
      this.log.warn(`supersede signal for ${taskId} not sent: ${(error as Error).message}`);
    });
  }

  private async refreshPendingGauge(): Promise<void> {
    try {
      this.metrics.pending.set(await this.store.pendingCount());
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
