import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { Subscription } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskExecuteMessage } from '@app/contracts';
import { contextFromTraceparent, inSpan, SpanKind } from '@app/observability';
import { TaskBus } from '../bus/task-bus.service';
import { OrchestratorMetrics } from '../metrics/orchestrator-metrics';
import { Lease, LeaseOutcome, routeKey, RoutingService } from '../routing/routing.service';
import { ScanCursor } from './sql';
import { leaseInOrder } from './lease-in-order';
import { AttemptSlot, followCommits, TaskCommit, TaskStore } from './store';
import { AcceptedTask, candidateFromNew, DispatchCandidate, DispatchItem } from './task.types';

/** Undispatched tasks younger than this belong to the fast path of the process that accepted them. */
const SCAN_MIN_AGE_MS = 500;
// Rows locked per page: a full route costs one page, so a small page keeps row locks few under overload.
const SCAN_BATCH = 100;
/** Rows one scan looks at at most (routes found full are left out of the query, so this is rarely reached). */
const SCAN_MAX_ROWS = 10_000;
const FAST_BATCH = 2_000;

export type Sent = { candidate: DispatchCandidate; item: DispatchItem };

/**
 * Puts tasks on the bus, only as fast as agents have free slots (docs/decisions/0080), and owns
 * their slot leases: every lease is taken here (through RoutingService) and given back here — a
 * lease not recorded by its own `release`, a recorded attempt's when the commit that ended it is
 * published. Fast path: at acceptance (written already dispatched) or right after the commit that
 * inserted the task, the accepting process leases a slot, records the attempt and appends it to the
 * agent's stream. Durable path: a scan walks the waiting
 * tasks in priority order (FIFO within a priority) with FOR UPDATE SKIP LOCKED, leases what it
 * can, moves on past routes that are full or unroutable (those back off), and runs again when a
 * slot frees. While a route has waiting tasks, new ones for it queue behind them (no fast path).
 * An attempt is recorded before it is appended, so every message on the bus has its row.
 */
@Injectable()
export class Dispatcher implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(Dispatcher.name);
  private ready: DispatchCandidate[] = [];
  /** Leases taken at acceptance, until the commit that inserts their task (or its refusal). */
  private readonly acceptanceLeases = new Map<string, Lease>();
  private subscription?: Subscription;
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
    private readonly store: TaskStore,
    private readonly routing: RoutingService,
    private readonly bus: TaskBus,
    private readonly metrics: OrchestratorMetrics,
  ) {}

  onModuleInit(): void {
    this.subscription = followCommits(this.store.commits$, Dispatcher.name, (c) => this.followCommit(c));
  }

  /**
   * After each commit: new tasks go out (those written already dispatched) or to the fast path;
   * the slots of attempts that ended are free, and tasks waiting for one may go.
   */
  private followCommit(c: TaskCommit): void {
    if (c.inserted.length > 0) {
      const sent = new Set(c.dispatched.filter((e) => e.attempt === 1).map((e) => e.task_id));
      const routed: Sent[] = [];
      const unsent: DispatchCandidate[] = [];
      for (const t of c.inserted) {
        const lease = this.acceptanceLeases.get(t.task_id);
        this.acceptanceLeases.delete(t.task_id);
        if (t.route && sent.has(t.task_id)) routed.push({ candidate: candidateFromNew(t), item: this.routedItem(t) });
        else {
          // Routed to an agent that vanished meanwhile: routed again.
          lease?.release();
          unsent.push(candidateFromNew(t));
        }
      }
      void this.publish(routed);
      this.enqueue(unsent);
    }
    if (c.freed.length > 0) {
      this.freeSlots(c.freed);
      this.slotFreed();
    }
  }

  /**
   * Leases a slot for a task being accepted, when one is free and nobody of its route waits: it is
   * then written already dispatched (saving a commit). The lease answered goes back with `release`
   * if the task is not inserted after all (a refusal, an idempotent repeat).
   */
  async routeAtAcceptance(task: AcceptedTask): Promise<Lease | undefined> {
    const c = candidateFromNew(task);
    if (this.isCongested(specOf(c))) return undefined;
    const outcome = await this.leaseFast(c);
    if (!('agent_id' in outcome)) return undefined;
    task.route = { agent_id: outcome.agent_id, deadline: this.startDeadline(Date.parse(task.created_at)) };
    this.acceptanceLeases.set(task.task_id, outcome);
    return {
      agent_id: outcome.agent_id,
      release: () => {
        if (this.acceptanceLeases.get(task.task_id) !== outcome) return; // its commit decided already
        this.acceptanceLeases.delete(task.task_id);
        outcome.release();
      },
    };
  }

  /** The slots of recorded attempts that are over (or are about to be re-sent). */
  freeSlots(slots: AttemptSlot[]): void {
    for (const s of slots) this.routing.release(s.agent_id, s.task_id, s.attempt);
  }

  private routedItem(t: AcceptedTask): DispatchItem {
    return {
      task_id: t.task_id,
      attempt: 1,
      agent_id: t.route!.agent_id,
      deadline: t.route!.deadline,
      at: t.created_at,
      reason: null,
    };
  }

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
    const rows = await this.store.unstartedAttempts(10_000);
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
    const routed: (Sent & { lease: Lease })[] = [];
    const now = Date.now();
    for (const { c, outcome } of leased)
      if ('agent_id' in outcome)
        routed.push({ candidate: c, item: this.item(c, outcome.agent_id, now, null), lease: outcome });
    const applied = await Promise.all(
      routed.map(async (r) => {
        const ok = await this.store.dispatch(r.item).catch(() => false);
        if (!ok) r.lease.release();
        return ok ? { candidate: r.candidate, item: r.item } : undefined;
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
      // Leases taken in a transaction that rolls back go back (no attempt will use them).
      const taken: Lease[] = [];
      const { claimed, routed, events } = await this.store
        .change(async (tx) => {
          const claimed = await tx.claimWaiting(SCAN_BATCH, SCAN_MIN_AGE_MS, [...full], cursor);
          const choice = await leaseInOrder(
            claimed,
            (c) => routeKey(specOf(c)),
            async (c) => {
              const outcome = await this.lease(c);
              if ('agent_id' in outcome) taken.push(outcome);
              return outcome;
            },
            full,
            waitingFor,
          );
          const routed = choice.routed.map((r) => ({
            candidate: r.task,
            item: this.item(r.task, r.lease.agent_id, Date.now(), null),
            lease: r.lease,
          }));
          const unroutable = choice.unroutable.map((t) => t.task_id);
          const events = await tx.markDispatched(routed.map((r) => r.item));
          await tx.backOffRouting(unroutable, this.config.dispatch.routeBackoffMaxMs);
          return { claimed, routed, events };
        })
        .catch((error: unknown) => {
          for (const lease of taken) lease.release();
          throw error;
        });
      // Committed: a lease whose task another replica dispatched first goes back; the rest go out.
      const applied = new Set(events.map((e) => e.task_id));
      for (const r of routed) if (!applied.has(r.item.task_id)) r.lease.release();
      await this.publish(
        routed.filter((r) => applied.has(r.item.task_id)).map((r) => ({ candidate: r.candidate, item: r.item })),
      );
      rows += claimed.length;
      if (claimed.length < SCAN_BATCH) break;
      const last = claimed[claimed.length - 1];
      cursor = { priority: last.priority, created_at: last.created_at, task_id: last.task_id };
    }
    this.congested = new Set([...waitingFor, ...this.fastMisses]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    if (this.scanTimer) clearInterval(this.scanTimer);
    await this.running;
    await this.scanning;
  }
}

export function specOf(c: DispatchCandidate) {
  return { agent_id: c.requested_agent_id, role: c.role, capability: c.capability, min_proficiency: c.min_proficiency };
}
