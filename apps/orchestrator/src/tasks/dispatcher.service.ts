import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskExecuteMessage } from '@app/contracts';
import { contextFromTraceparent, inSpan, SpanKind } from '@app/observability';
import { TaskBus } from '../bus/task-bus.service';
import { OrchestratorMetrics } from '../metrics/orchestrator-metrics';
import { RoutingService } from '../routing/routing.service';
import { HistoryWriter } from './history-writer.service';
import { TaskEventsHub } from './task-events.hub';
import { claimUndispatched, markDispatched, sqlOf, unstartedAttempts } from './task-sql';
import { DispatchCandidate, DispatchItem } from './task.types';

/** Undispatched tasks younger than this belong to the fast path of the process that accepted them. */
const SCAN_MIN_AGE_MS = 1_000;
const SCAN_BATCH = 200;
const FAST_BATCH = 2_000;

/**
 * Puts tasks on the bus. Fast path: right after a submission commits, the accepting process
 * routes it, records the attempt (group commit) and appends it to the agent's stream. Durable
 * path: a periodic scan claims undispatched tasks with FOR UPDATE SKIP LOCKED, so tasks that
 * waited for an agent, tasks of a crashed replica and tasks written before a restart are sent.
 * An attempt is recorded before it is appended, so every message on the bus has its row.
 */
@Injectable()
export class Dispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(Dispatcher.name);
  private ready: DispatchCandidate[] = [];
  private running?: Promise<void>;
  private scanTimer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private stopped = false;

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

  /**
   * After a restart: an attempt is recorded before it is appended, so a crash in between leaves a
   * recorded attempt with no message. Attempts nobody started are appended again (same attempt
   * number: if both copies run, the first result is recorded and the other is ignored).
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

  /** Run the database scan now (an agent appeared, a task was re-queued). */
  scanSoon(): void {
    if (this.stopped || this.scanning) return;
    this.scanning = this.scan()
      .catch((error: unknown) => this.log.warn(`dispatch scan failed: ${(error as Error).message}`))
      .finally(() => (this.scanning = undefined));
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
    const routed = await this.route(batch);
    const applied = await Promise.all(
      routed.map(async ({ candidate, item }) => {
        const ok = await this.writer.dispatch(item).catch(() => false);
        if (!ok) this.routing.release(item.agent_id);
        return ok ? { candidate, item } : undefined;
      }),
    );
    await this.publish(applied.filter((a): a is NonNullable<typeof a> => a !== undefined));
  }

  private async route(
    batch: DispatchCandidate[],
    reason: string | null = null,
  ): Promise<{ candidate: DispatchCandidate; item: DispatchItem }[]> {
    const now = Date.now();
    const picks = await Promise.all(
      batch.map((c) =>
        // In the task's trace, so a discovery request to the registry joins it (a no-op when tracing is off).
        context.with(contextFromTraceparent(c.traceparent), () =>
          this.routing.pick(
            {
              agent_id: c.requested_agent_id,
              role: c.role,
              capability: c.capability,
              min_proficiency: c.min_proficiency,
            },
            c.previous_agent_id,
          ),
        ),
      ),
    );
    const routed: { candidate: DispatchCandidate; item: DispatchItem }[] = [];
    batch.forEach((candidate, i) => {
      const agent = picks[i];
      if (agent === undefined) return; // no agent now: the task waits for the scan
      routed.push({
        candidate,
        item: {
          task_id: candidate.task_id,
          attempt: candidate.attempt,
          agent_id: agent,
          deadline: new Date(now + candidate.timeout_seconds * 1000).toISOString(),
          at: new Date(now).toISOString(),
          reason,
        },
      });
    });
    return routed;
  }

  /** Appends recorded attempts to their agents' streams. */
  async publish(sent: { candidate: DispatchCandidate; item: DispatchItem }[]): Promise<void> {
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
          // The attempt is recorded: its deadline re-dispatches it if this append was lost.
          this.log.warn(
            `append of task ${candidate.task_id} attempt ${item.attempt} failed: ${(error as Error).message}`,
          );
        }
      }),
    );
  }

  private async scan(): Promise<void> {
    for (;;) {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      let sent: { candidate: DispatchCandidate; item: DispatchItem }[] = [];
      let claimed = 0;
      try {
        await runner.startTransaction();
        const sql = await sqlOf(runner);
        const candidates = await claimUndispatched(sql, SCAN_BATCH, SCAN_MIN_AGE_MS);
        claimed = candidates.length;
        const routed = await this.route(candidates);
        const events = await markDispatched(
          sql,
          routed.map((r) => r.item),
        );
        await runner.commitTransaction();
        const applied = new Set(events.map((e) => e.task_id));
        for (const r of routed) if (!applied.has(r.item.task_id)) this.routing.release(r.item.agent_id);
        sent = routed.filter((r) => applied.has(r.item.task_id));
        this.hub.publishEvents(events);
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      } finally {
        await runner.release();
      }
      await this.publish(sent);
      // A full batch that made progress means more may be waiting.
      if (claimed < SCAN_BATCH || sent.length === 0 || this.stopped) return;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.scanTimer) clearInterval(this.scanTimer);
    await this.running;
    await this.scanning;
  }
}
