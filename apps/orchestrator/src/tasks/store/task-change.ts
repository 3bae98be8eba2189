import type { Sql } from '@app/persistence';
import {
  backOffRouting,
  claimOverdue,
  claimQueueExpired,
  claimWaiting,
  EventRow,
  FinishedRow,
  insertTasks,
  markDispatched,
  markFailed,
  OverdueRow,
  QueueExpiredRow,
  ScanCursor,
  timeOutAttempts,
  WaitingTask,
} from '../sql';
import { AcceptedTask, DispatchItem } from '../task.types';
import { cancelIn, CancelOutcome } from './cancel-sql';
import { AttemptSlot, TaskCommit } from './task-commit';

/**
 * The tasks aggregate inside one transaction: each change it makes is added to the commit the task
 * store publishes once the transaction committed (so a caller never publishes, releases or counts by
 * hand). Claims lock rows FOR UPDATE SKIP LOCKED, so replicas share the work.
 */
export class TaskChange {
  constructor(
    private readonly sql: Sql,
    /** What this change did so far (published after the commit). */
    readonly commit: TaskCommit,
  ) {}

  /** New tasks (a workflow's steps); tasks already written (same id) are left out. */
  async insert(tasks: AcceptedTask[]): Promise<EventRow[]> {
    if (tasks.length === 0) return [];
    const { inserted, events } = await insertTasks(this.sql, tasks);
    this.commit.inserted.push(...tasks.filter((t) => inserted.has(t.task_id)));
    this.commit.events.push(...events);
    return events;
  }

  /** The next waiting tasks in dispatch order, locked (see `claimWaiting`). */
  claimWaiting(
    limit: number,
    minAgeMs: number,
    skipRoutes: string[],
    after: ScanCursor | null,
  ): Promise<WaitingTask[]> {
    return claimWaiting(this.sql, limit, minAgeMs, skipRoutes, after);
  }

  /** Records attempts as dispatched; only tasks still waiting change (answers their events). */
  async markDispatched(items: DispatchItem[]): Promise<EventRow[]> {
    const events = await markDispatched(this.sql, items);
    this.commit.dispatched.push(...events);
    this.commit.events.push(...events);
    return events;
  }

  /** Tasks no agent can serve now step aside for a while (doubling up to maxMs). */
  backOffRouting(taskIds: string[], maxMs: number): Promise<void> {
    return backOffRouting(this.sql, taskIds, maxMs);
  }

  /** Attempts past their deadline, locked. */
  claimOverdue(limit: number): Promise<OverdueRow[]> {
    return claimOverdue(this.sql, limit);
  }

  /** Tasks past their queue timeout, locked. */
  claimQueueExpired(limit: number): Promise<QueueExpiredRow[]> {
    return claimQueueExpired(this.sql, limit);
  }

  /** The attempts are over (timed out); `requeue` puts the task back to waiting. */
  async timeOutAttempts(
    items: { task_id: string; attempt: number; agent_id: string | null; requeue: boolean }[],
  ): Promise<EventRow[]> {
    const events = await timeOutAttempts(this.sql, items);
    this.commit.events.push(...events);
    return events;
  }

  /** Final failure of tasks, each with its reason. */
  async markFailed(items: { task_id: string; attempt: number; error: string }[]): Promise<FinishedRow[]> {
    const failed = await markFailed(this.sql, items);
    this.commit.events.push(...failed);
    this.commit.finished.push(
      ...failed.map((f) => ({ ...f, result: null, error: (f.detail?.error as string | undefined) ?? 'failed' })),
    );
    return failed;
  }

  /** These attempts' slots are given back once the change committed. */
  free(slots: AttemptSlot[]): void {
    this.commit.freed.push(...slots);
  }

  /** See `cancelIn`; a canceled task that had an attempt out gives its slot back. */
  async cancel(
    taskId: string,
    reason: string,
    withinChange?: (sql: Sql) => Promise<void>,
  ): Promise<CancelOutcome & { changed: boolean }> {
    const outcome = await cancelIn(this.sql, taskId, reason, withinChange);
    if (outcome.kind === 'canceled' || outcome.kind === 'requested') this.commit.events.push(...outcome.events);
    if (outcome.kind === 'canceled') {
      this.commit.finished.push({ ...outcome.finished, result: null, error: reason });
      if (outcome.dispatched) this.free([outcome.finished]);
    }
    return outcome;
  }
}
