import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskExecuteMessage } from '@app/contracts';
import { inTransaction } from '@app/persistence';
import { contextFromTraceparent, inSpan, SpanKind } from '@app/observability';
import { TaskBus } from '../bus/task-bus.service';
import { OrchestratorMetrics } from '../metrics/orchestrator-metrics';
import { LeaseOutcome, routeKey, RoutingService } from '../routing/routing.service';
import { backOffRouting, claimWaiting, ScanCursor } from './sql';
import { HistoryWriter } from './history-writer.service';
import { leaseInOrder } from './lease-in-order';
import { TaskEventsHub } from './task-events.hub';
import { markDispatched, sqlOf, unstartedAttempts } from './sql';
import { DispatchCandidate, DispatchItem } from './task.types';

/** Undispatched tasks younger than this belong to the fast path of the process that accepted them. */
const SCAN_MIN_AGE_MS = 500;
// Rows locked per page: a full route costs one page, so a small page keeps row locks few under overload.
const SCAN_BATCH = 100;
/** Rows one scan looks at at most (routes found full are left out of the query, so this is rarely reached). */
const SCAN_MAX_ROWS = 10_000;
const FAST_BATCH = 2_000;

export type Sent = { candidate: DispatchCandidate; item: DispatchItem };

/**
 * Puts tasks on the bus, only as fast as agents have free slots (docs/decisions/0080). Fast path:
 * right after a submission commits, the accepting process leases a slot, records the attempt
 * (group commit) and appends it to the agent's stream. Durable path: a scan walks the waiting
 * tasks in priority order (FIFO within a priority) with FOR UPDATE SKIP LOCKED, leases what it
 * can, moves on past routes that are full or unroutable (those back off), and runs again when a
 * slot frees. While a route has waiting tasks, new ones for it queue behind them (no fast path).
 * An attempt is recorded before it is appended, so every message on the bus has its row.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(Dispatcher.name);
  private ready: DispatchCandidate[] = [];
  private running?: Promise<void>;
  private scanTimer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private scanAgain = false;
  private stopped = false;
  /** Routes with tasks waiting for a slot, as this process last saw them. */
  private congested = new Set<string>();
  /** Routes the fast path found full since the current scan began (its tasks may be too young for that scan). */
  private fastMisses = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly writer: HistoryWriter,
    private readonly routing: RoutingService,
    private readonly bus: TaskBus,
    private readonly hub: TaskEventsHub,
    private readonly metrics: OrchestratorMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.scanTimer = setInterval(() => this.scanSoon(), this.config.orchestrator.dispatchScanMs);
    this.scanSoon();
    void this.resendUnstarted().catch((error: unknown) =>
      this.log.warn(`re-send after restart failed: ${(error as Error).message}`),
    );
  }

  /** True while tasks of this route wait for a slot: a new one queues behind them instead of taking the next free slot. */
  isCongested(spec: Parameters<typeof routeKey>[0]): boolean {
    return this.congested.size > 0 && this.congested.has(routeKey(spec));
  }

  /** How long a slot lease lives at most: start timeout + execution timeout + grace (it normally ends with the attempt). */
  leaseTtlMs(timeoutSeconds: number): number {
    const d = this.config.dispatch;
    return (d.startTimeoutSeconds + timeoutSeconds + d.slotLeaseGraceSeconds) * 1000;
  }

  /** The attempt must start before this (its execution deadline is set when it starts). */
  startDeadline(now: number): string {
    return new Date(now + this.config.dispatch.startTimeoutSeconds * 1000).toISOString();
  }

  /** A slot was freed: waiting tasks may go now. */
  slotFreed(): void {
    if (this.congested.size > 0) this.scanSoon();
  }

  /**
   * After a restart: an attempt is recorded before it is appended, so a crash in between leaves a
   * recorded attempt with no message. Attempts nobody started are appended again (same attempt
   * number: where both copies exist, a host runs only the one that claims the attempt first, 0082).
   */
  private async resendUnstarted(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    let rows: Awaited<ReturnType<typeof unstartedAttempts>>;
    try {
      rows = await unstartedAttempts(await sqlOf(runner), 10_000);
    } finally {
      await runner.release();
    }
    if (rows.length === 0) return;
    this.log.log(`re-sending ${rows.length} dispatched attempts not started yet`);
    await this.publish(
      rows.map((r) => ({
        candidate: r,
        item: {
          task_id: r.task_id,
          attempt: r.current_attempt,
          agent_id: r.previous_agent_id!,
          deadline: r.deadline,
          at: new Date().toISOString(),
          reason: null,
        },
      })),
    );
  }

  /** Tasks just committed by this process. */
  enqueue(candidates: DispatchCandidate[]): void {
    if (this.stopped || candidates.length === 0) return;
    this.ready.push(...candidates);
    this.running ??= this.drain();
  }

  /** Run the database scan now (an agent appeared, a slot freed, a task was re-queued). */
  scanSoon(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.scanAgain = true;
      return;
    }
    this.scanning = this.scan()
      .catch((error: unknown) => this.log.warn(`dispatch scan failed: ${(error as Error).message}`))
      .finally(() => {
        this.scanning = undefined;
        if (this.scanAgain) {
          this.scanAgain = false;
          this.scanSoon();
        }
      });
  }

  private async drain(): Promise<void> {
    try {
      while (this.ready.length > 0 && !this.stopped) {
        const batch = this.ready.splice(0, FAST_BATCH);
        await this.dispatchFast(batch).catch((error: unknown) =>
          this.log.warn(`dispatch failed, the scan will retry: ${(error as Error).message}`),
        );
      }
    } finally {
      this.running = undefined;
    }
  }

  private async dispatchFast(batch: DispatchCandidate[]): Promise<void> {
    // A congested route's tasks wait their turn in the scan.
    const free = batch.filter((c) => !this.isCongested(specOf(c)));
    const leased = await Promise.all(free.map(async (c) => ({ c, outcome: await this.leaseFast(c) })));
    const routed: Sent[] = [];
    const now = Date.now();
    for (const { c, outcome } of leased)
      if ('agent_id' in outcome) routed.push({ candidate: c, item: this.item(c, outcome.agent_id, now, null) });
    const applied = await Promise.all(
      routed.map(async (r) => {
        const ok = await this.writer.dispatch(r.item).catch(() => false);
        if (!ok) this.routing.release(r.item.agent_id, r.item.task_id, r.item.attempt);
        return ok ? r : undefined;
      }),
    );
    await this.publish(applied.filter((a): a is Sent => a !== undefined));
  }

  /**
   * Leases a slot for the candidate's attempt outside the scan (at acceptance, after commit): a full
   * route becomes congested, so later tasks queue behind this one. An infrastructure error counts
   * as no slot: the scan retries.
   */
  async leaseFast(c: DispatchCandidate): Promise<LeaseOutcome> {
    const outcome = await this.lease(c);
    if ('miss' in outcome && outcome.miss === 'no_slot') {
      const key = routeKey(specOf(c));
      this.congested.add(key);
      this.fastMisses.add(key);
    }
    return outcome;
  }

  private lease(c: DispatchCandidate): Promise<LeaseOutcome> {
    // In the task's trace, so a discovery request to the registry joins it (a no-op when tracing is off).
    return context
      .with(contextFromTraceparent(c.traceparent), () =>
        this.routing.lease(specOf(c), c, this.leaseTtlMs(c.timeout_seconds), c.previous_agent_id),
      )
      .catch((error: unknown) => {
        this.log.warn(`slot lease for task ${c.task_id} failed: ${(error as Error).message}`);
        return { miss: 'no_slot' as const };
      });
  }

  item(c: DispatchCandidate, agentId: string, now: number, reason: string | null): DispatchItem {
    return {
      task_id: c.task_id,
      attempt: c.attempt,
      agent_id: agentId,
      deadline: this.startDeadline(now),
      at: new Date(now).toISOString(),
      reason,
    };
  }

  /** Appends recorded attempts to their agents' streams. */
  async publish(sent: Sent[]): Promise<void> {
    await Promise.all(
      sent.map(async ({ candidate, item }) => {
        const message: TaskExecuteMessage = {
          task_id: candidate.task_id,
          attempt: item.attempt,
          agent_id: item.agent_id,
          title: candidate.title,
          description: candidate.description,
          input: candidate.input,
          deadline: item.deadline,
          timeout_seconds: candidate.timeout_seconds,
          // Three beats per heartbeat timeout: one lost or late beat does not time the attempt out.
          ...(candidate.heartbeat_timeout_seconds
            ? { heartbeat_seconds: Math.max(1, Math.floor(candidate.heartbeat_timeout_seconds / 3)) }
            : {}),
          ...(candidate.workflow_run_id ? { workflow_run_id: candidate.workflow_run_id } : {}),
          ...(candidate.step_key ? { step_id: candidate.step_key } : {}),
          ...(candidate.budget ? { budget: candidate.budget } : {}),
        };
        try {
          // A PRODUCER span in the task's own trace, whatever loop dispatches it: the host continues from it.
          await inSpan(
            'task.dispatch',
            {
              kind: SpanKind.PRODUCER,
              attributes: {
                'messaging.system': 'redis_streams',
                'messaging.operation.type': 'send',
                'messaging.destination.name': item.agent_id,
                'expert_agents.task_id': candidate.task_id,
                'expert_agents.attempt': item.attempt,
              },
            },
            () => this.bus.execute(message),
            contextFromTraceparent(candidate.traceparent),
          );
          if (item.attempt === 1) this.metrics.dispatchLatency.observe(this.metrics.sinceSeconds(candidate.created_at));
        } catch (error) {
          // The attempt is recorded: its start deadline re-dispatches it if this append was lost.
          this.log.warn(
            `append of task ${candidate.task_id} attempt ${item.attempt} failed: ${(error as Error).message}`,
          );
        }
      }),
    );
  }

  private async scan(): Promise<void> {
    const full = new Set<string>();
    const waitingFor = new Set<string>();
    let cursor: ScanCursor | null = null;
    this.fastMisses = new Set();
    for (let rows = 0; rows < SCAN_MAX_ROWS && !this.stopped;) {
      const { claimed, routed, events } = await inTransaction(this.dataSource, async (runner) => {
        const sql = await sqlOf(runner);
        const claimed = await claimWaiting(sql, SCAN_BATCH, SCAN_MIN_AGE_MS, [...full], cursor);
        const choice = await leaseInOrder(
          claimed,
          (c) => routeKey(specOf(c)),
          (c) => this.lease(c),
          full,
          waitingFor,
        );
        const routed = choice.routed.map((r) => ({
          candidate: r.task,
          item: this.item(r.task, r.agent_id, Date.now(), null),
        }));
        const unroutable = choice.unroutable.map((t) => t.task_id);
        const events = await markDispatched(
          sql,
          routed.map((r) => r.item),
        );
        await backOffRouting(sql, unroutable, this.config.dispatch.routeBackoffMaxMs);
        return { claimed, routed, events };
      });
      // Committed: a lease whose task another replica dispatched first goes back; the rest go out.
      const applied = new Set(events.map((e) => e.task_id));
      for (const r of routed)
        if (!applied.has(r.item.task_id)) this.routing.release(r.item.agent_id, r.item.task_id, r.item.attempt);
      const sent: Sent[] = routed.filter((r) => applied.has(r.item.task_id));
      this.hub.publishEvents(events);
      await this.publish(sent);
      rows += claimed.length;
      if (claimed.length < SCAN_BATCH) break;
      const last = claimed[claimed.length - 1];
      cursor = { priority: last.priority, created_at: last.created_at, task_id: last.task_id };
    }
    this.congested = new Set([...waitingFor, ...this.fastMisses]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.scanTimer) clearInterval(this.scanTimer);
    await this.running;
    await this.scanning;
  }
}

export function specOf(c: DispatchCandidate) {
  return { agent_id: c.requested_agent_id, role: c.role, capability: c.capability, min_proficiency: c.min_proficiency };
}
