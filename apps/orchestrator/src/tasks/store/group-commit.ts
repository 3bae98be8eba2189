import { Logger } from '@nestjs/common';
import { DomainException } from '@app/edge';
import { AppConfig } from '@app/config';
import { TaskResultMessage, TaskStartedMessage } from '@app/contracts';
import { DedicatedConnection, Sql } from '@app/persistence';
import { OrchestratorMetrics } from '../../metrics/orchestrator-metrics';
import { findByIdempotencyKeys, flush, isDeadlineMiss } from '../sql';
import { DispatchItem, AcceptedTask } from '../task.types';
import { TaskCommit } from './task-commit';

export interface InsertOutcome {
  task_id: string;
  /** False when the idempotency key already named a task: task_id is that task. */
  created: boolean;
  status: string;
}

type Op =
  | { kind: 'insert'; task: AcceptedTask; done: Settle<InsertOutcome> }
  | { kind: 'dispatch'; item: DispatchItem; done: Settle<boolean> }
  | { kind: 'started'; message: TaskStartedMessage; done: Settle<void> }
  | { kind: 'result'; message: TaskResultMessage; done: Settle<void> };

interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the task lifecycle. Submissions, dispatches, starts and results queue here
 * and are written together: the first waits at most ORCHESTRATOR_GROUP_COMMIT_MS for company,
 * and while one commit is in flight the next batch gathers. One transaction per batch keeps the
 * history complete (every change with its event row) while PostgreSQL syncs once per batch
 * instead of once per change. Callers are answered only after their batch committed.
 * Changes are spread over ORCHESTRATOR_GROUP_COMMIT_LANES lanes by task: a lane writes its batches one at a
 * time in arrival order, so a task's changes never overtake each other, and the lanes commit in parallel.
 * Internal to the task store: each commit is handed to `publish` (the store's commits) before its callers hear of it.
 */
export class GroupCommit {
  private readonly log = new Logger(GroupCommit.name);
  private readonly lanes: Lane[];
  private closed = false;
  /**
   * PostgreSQL keeps the generic plan of a prepared statement it made after a few executions.
   * Made while task_history was nearly empty (a fresh install, the first minutes) that plan scans
   * whole tables, and it stays as they grow until an ANALYZE happens to invalidate it: measured
   * here, 4 ms of PostgreSQL CPU per task after 14,000 tasks. So the group commit is prepared
   * anew, under a new name, each time this process's inserts double (from 500): a handful of
   * statements per connection over a lifetime, each planned for the tables of its time.
   */
  private planGeneration = 0;
  private inserted = 0;
  private replanAt = 500;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: OrchestratorMetrics,
    /** A lane's own connection (outside the pool, generic plans forced: see `connection`). */
    private readonly connect: (settings: { application_name: string; options: string }) => Promise<DedicatedConnection>,
    private readonly publish: (commit: TaskCommit) => void,
  ) {
    this.lanes = Array.from({ length: config.orchestrator.groupCommitLanes }, () => ({ queue: [] }));
  }

  /**
   * Refuses a new submission while ORCHESTRATOR_GROUP_COMMIT_QUEUE_MAX changes wait for a commit (the
   * database is slower than the callers): a 503 with Retry-After instead of memory growing without bound.
   */
  assertAccepting(): void {
    const refusal = this.refusal();
    if (refusal) throw refusal;
  }

  private refusal(): DomainException | null {
    const queued = this.lanes.reduce((n, lane) => n + lane.queue.length, 0);
    if (queued < this.config.limits.groupCommitQueueMax) return null;
    return new DomainException(
      'unavailable',
      'ORCHESTRATOR_BUSY',
      `${queued} changes are waiting for the database; retry later with the same idempotency_key`,
      { retry_after_seconds: 1 },
    );
  }

  insert(task: AcceptedTask): Promise<InsertOutcome> {
    const refusal = this.refusal();
    if (refusal) return Promise.reject(refusal);
    // Submissions sharing an idempotency key share a lane, so they never race each other across transactions.
    return this.enqueue<InsertOutcome>(task.idempotency_key ?? task.task_id, (done) => ({
      kind: 'insert',
      task,
      done,
    }));
  }

  /** True when the task moved to this attempt (false: canceled meanwhile, another replica sent it, or the agent is gone). */
  dispatch(item: DispatchItem): Promise<boolean> {
    return this.enqueue<boolean>(item.task_id, (done) => ({ kind: 'dispatch', item, done }));
  }

  started(message: TaskStartedMessage): Promise<void> {
    return this.enqueue<void>(message.task_id, (done) => ({ kind: 'started', message, done }));
  }

  result(message: TaskResultMessage): Promise<void> {
    return this.enqueue<void>(message.task_id, (done) => ({ kind: 'result', message, done }));
  }

  /** One task's changes always take the same lane (in order); lanes commit in parallel. */
  private enqueue<T>(key: string, make: (done: Settle<T>) => Op): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the task store is shut down'));
    const lane = this.lanes[laneOf(key, this.lanes.length)];
    return new Promise<T>((resolve, reject) => {
      lane.queue.push(make({ resolve, reject }));
      this.schedule(lane);
    });
  }

  private schedule(lane: Lane): void {
    if (lane.flushing || lane.timer) return;
    const max = this.config.orchestrator.groupCommitMaxBatch;
    if (lane.queue.length >= max || this.config.orchestrator.groupCommitMs === 0) {
      lane.flushing = this.drain(lane);
      return;
    }
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      lane.flushing = this.drain(lane);
    }, this.config.orchestrator.groupCommitMs);
  }

  private async drain(lane: Lane): Promise<void> {
    try {
      while (lane.queue.length > 0) {
        const batch = lane.queue.splice(0, this.config.orchestrator.groupCommitMaxBatch);
        await this.writeBatch(lane, batch);
      }
    } finally {
      lane.flushing = undefined;
      if (lane.queue.length > 0) this.schedule(lane);
    }
  }

  private async writeBatch(lane: Lane, batch: Op[]): Promise<void> {
    try {
      const stop = this.metrics.commitSeconds.startTimer();
      const committed = await this.write(lane, batch);
      stop();
      this.metrics.batchSize.observe(batch.length);
      try {
        this.publish(committed.batch);
      } catch (error) {
        this.log.error(`publishing a commit failed: ${(error as Error).message}`);
      }
      committed.settle();
    } catch (error) {
      if (batch.length === 1) {
        batch[0].done.reject(error);
        return;
      }
      // One bad change must not fail its neighbours: write them one by one to isolate it.
      this.log.warn(
        `group commit of ${batch.length} changes failed (${(error as Error).message}); retrying one by one`,
      );
      for (const op of batch) await this.writeBatch(lane, [op]);
    }
  }

  private async write(lane: Lane, batch: Op[]): Promise<{ batch: TaskCommit; settle: () => void }> {
    const inserts = batch.filter((o): o is Extract<Op, { kind: 'insert' }> => o.kind === 'insert');
    const dispatches = batch.filter((o): o is Extract<Op, { kind: 'dispatch' }> => o.kind === 'dispatch');
    const starts = batch.filter((o): o is Extract<Op, { kind: 'started' }> => o.kind === 'started');
    const results = batch.filter((o): o is Extract<Op, { kind: 'result' }> => o.kind === 'result');

    // One submission per idempotency key goes to the database; the others get its answer.
    const firstByKey = new Map<string, AcceptedTask>();
    const written = inserts.filter((o) => {
      const key = o.task.idempotency_key;
      if (key === null) return true;
      if (firstByKey.has(key)) return false;
      firstByKey.set(key, o.task);
      return true;
    });
    const outcomes = results.filter((o) => !isDeadlineMiss(o.message)).map((o) => o.message);
    // A start whose result is in this batch too (fast agents): one row update instead of two, same events.
    const finishing = new Set(outcomes.map((m) => `${m.task_id}:${m.attempt}`));
    const paired = (m: TaskStartedMessage) => finishing.has(`${m.task_id}:${m.attempt}`);

    const sql = await this.connection(lane);
    try {
      const rows = await flush(
        sql,
        {
          inserts: written.map((o) => o.task),
          idempotencyKeys: [...firstByKey.keys()],
          dispatches: dispatches.map((o) => o.item),
          starts: starts.map((o) => o.message).filter((m) => !paired(m)),
          pairedStarts: starts.map((o) => o.message).filter(paired),
          results: outcomes,
          deadlineMisses: results.filter((o) => isDeadlineMiss(o.message)).map((o) => o.message),
        },
        this.planGeneration,
      );
      this.countInserted(rows.inserted.size);
      // A key taken by a transaction that committed while this one ran is read now.
      const unresolved = [...firstByKey.entries()]
        .filter(([key, t]) => !rows.inserted.has(t.task_id) && !rows.idempotent.has(key))
        .map(([key]) => key);
      if (unresolved.length > 0)
        for (const [key, found] of await findByIdempotencyKeys(sql, unresolved)) rows.idempotent.set(key, found);

      const resultById = new Map(outcomes.map((m) => [m.task_id, m.result ?? null]));
      const dispatchedIds = new Set(
        rows.events.filter((e) => e.type === 'dispatched').map((e) => `${e.task_id}:${e.attempt}`),
      );
      const committed: TaskCommit = {
        inserted: written.map((o) => o.task).filter((t) => rows.inserted.has(t.task_id)),
        dispatched: rows.events.filter((e) => e.type === 'dispatched'),
        started: rows.started,
        finished: rows.finished.map((f) => ({
          ...f,
          result: resultById.get(f.task_id) ?? null,
          error: (f.detail?.error as string | undefined) ?? null,
        })),
        freed: rows.finished.map((f) => ({ agent_id: f.agent_id, task_id: f.task_id, attempt: f.attempt })),
        events: rows.events,
      };
      const settle = () => {
        for (const o of inserts) {
          const key = o.task.idempotency_key;
          const first = key === null ? o.task : firstByKey.get(key)!;
          if (first === o.task && rows.inserted.has(o.task.task_id)) {
            o.done.resolve({ task_id: o.task.task_id, created: true, status: 'pending' });
            continue;
          }
          if (key !== null && rows.inserted.has(first.task_id)) {
            o.done.resolve({ task_id: first.task_id, created: false, status: 'pending' });
            continue;
          }
          const found = key !== null ? rows.idempotent.get(key) : undefined;
          if (found) o.done.resolve({ task_id: found.task_id, created: false, status: found.status });
          else o.done.reject(new Error(`task ${o.task.task_id} was not written (id conflict)`));
        }
        for (const o of dispatches) o.done.resolve(dispatchedIds.has(`${o.item.task_id}:${o.item.attempt}`));
        for (const o of starts) o.done.resolve();
        for (const o of results) o.done.resolve();
      };
      return { batch: committed, settle };
    } catch (error) {
      // A statement error (SQLSTATE) leaves the connection usable; anything else replaces it.
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) this.dropConnection(lane);
      throw error;
    }
  }

  /**
   * Each lane writes through its own connection, outside the pool, with generic plans forced:
   * PostgreSQL would otherwise re-plan the group commit on most executions (its custom plans
   * look cheaper), at ~2.5 ms of planning per commit, as much as the commit itself (measured).
   * Lookups by key are priced as cached reads (random_page_cost), so the generic plan uses the
   * primary keys rather than scanning tables (docs/decisions/0053).
   */
  private async connection(lane: Lane): Promise<Sql> {
    if (!lane.connection) {
      // A lane writes one batch at a time, so there is never a second connect in flight.
      const connection = await this.connect({
        application_name: 'expert-agents-history',
        options: '-c plan_cache_mode=force_generic_plan -c random_page_cost=1.1',
      });
      connection.onLost((error) => {
        this.log.warn(`history connection lost: ${error.message}`);
        if (lane.connection === connection) lane.connection = undefined;
      });
      lane.connection = connection;
    }
    return lane.connection.sql;
  }

  private dropConnection(lane: Lane): void {
    const connection = lane.connection;
    lane.connection = undefined;
    if (connection) void connection.end();
  }

  private countInserted(n: number): void {
    this.inserted += n;
    while (this.inserted >= this.replanAt) {
      this.planGeneration += 1;
      this.replanAt *= 2;
    }
  }

  /** Writes what is queued, then refuses changes and closes the lanes' connections. */
  async close(): Promise<void> {
    this.closed = true;
    for (const lane of this.lanes) {
      if (lane.timer) {
        clearTimeout(lane.timer);
        lane.timer = undefined;
        lane.flushing = this.drain(lane);
      }
    }
    await Promise.all(this.lanes.map((l) => l.flushing ?? Promise.resolve()));
    await Promise.all(this.lanes.map((l) => l.connection?.end() ?? Promise.resolve()));
    for (const lane of this.lanes) lane.connection = undefined;
  }
}

interface Lane {
  queue: Op[];
  connection?: DedicatedConnection;
  timer?: NodeJS.Timeout;
  flushing?: Promise<void>;
}

function laneOf(key: string, lanes: number): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}
