import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskResultMessage, TaskStartedMessage } from '@app/contracts';
import { Database, Sql, Tx } from '@app/persistence';
import { OrchestratorMetrics } from '../../metrics/orchestrator-metrics';
import { ListTasksQuery } from '../dto/list-tasks.query';
import { DispatchItem, AcceptedTask, TaskEventView } from '../task.types';
import { unstartedAttempts } from '../sql';
import { CancelOutcome } from './cancel-sql';
import { GroupCommit, InsertOutcome } from './group-commit';
import { TaskChange } from './task-change';
import { emptyCommit, isEmptyCommit, TaskCommit } from './task-commit';
import { attemptsOf, AttemptView, eventsOf, listOf, taskOf, TaskView } from './task-reads';
import { expireAttemptSql, heartbeatSql, remoteStatusSql, waitingForModelSql } from './task-writes-single';

/**
 * The tasks aggregate (task_history, task_attempts, task_events): every read and write of it, and
 * every transaction over it, goes through here. Lifecycle changes (submissions, dispatches, starts,
 * results) go through the group commit; the scan, the sweeps, cancels and workflow steps run a
 * `change` in one transaction. Whatever made it, each committed change is published once on
 * `commits$` — the start of the task pipeline downstream (events hub, metrics, dispatcher).
 */
@Injectable()
export class TaskStore implements BeforeApplicationShutdown {
  private readonly commits = new Subject<TaskCommit>();
  readonly commits$: Observable<TaskCommit> = this.commits.asObservable();
  private readonly groupCommit: GroupCommit;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: OrchestratorMetrics,
    private readonly db: Database,
  ) {
    this.groupCommit = new GroupCommit(
      config,
      metrics,
      (settings) => db.dedicated(settings),
      (commit) => this.publish(commit),
    );
  }

  // --- the group commit (answered once committed) ---

  /** 503 ORCHESTRATOR_BUSY while too many changes wait for the database. */
  assertAccepting(): void {
    this.groupCommit.assertAccepting();
  }

  insert(task: AcceptedTask): Promise<InsertOutcome> {
    return this.groupCommit.insert(task);
  }

  /** True when the task moved to this attempt (false: canceled meanwhile, another replica sent it, or the agent is gone). */
  dispatch(item: DispatchItem): Promise<boolean> {
    return this.groupCommit.dispatch(item);
  }

  started(message: TaskStartedMessage): Promise<void> {
    return this.groupCommit.started(message);
  }

  result(message: TaskResultMessage): Promise<void> {
    return this.groupCommit.result(message);
  }

  // --- changes in one transaction ---

  /**
   * Runs `work` over the tasks aggregate in one transaction — its own, or the caller's unit of work
   * (`within`: a workflow step writes its tasks with the run) — and publishes what it changed once
   * that committed.
   */
  change<T>(work: (change: TaskChange) => Promise<T>, within?: Tx): Promise<T> {
    const run = async (tx: Tx) => {
      const change = new TaskChange(tx, emptyCommit());
      const result = await work(change);
      tx.afterCommit(() => this.publish(change.commit));
      return result;
    };
    return within ? run(within) : this.db.transaction(run);
  }

  cancel(
    taskId: string,
    reason: string,
    withinChange?: (sql: Sql) => Promise<void>,
  ): Promise<CancelOutcome & { changed: boolean }> {
    return this.change((c) => c.cancel(taskId, reason, withinChange));
  }

  // --- single statements ---

  /** Moves a running attempt's deadline to now + its heartbeat timeout, capped by its execution timeout. */
  async heartbeat(taskId: string, attempt: number, agentId: string): Promise<void> {
    await this.db.query(heartbeatSql, [taskId, attempt, agentId]);
  }

  /** Records that the attempt's model call waits for the shared model limits; nothing once the attempt is over. */
  async waitingForModel(m: { task_id: string; attempt: number; agent_id: string; wait_ms: number }): Promise<void> {
    this.publishEvents(await this.db.query(waitingForModelSql, [m.task_id, m.attempt, m.agent_id, m.wait_ms]));
  }

  /** A status update a remote A2A agent streamed for the running attempt (docs/decisions/0102). */
  async remoteStatus(m: {
    task_id: string;
    attempt: number;
    agent_id: string;
    state: string;
    remote_task_id: string | null;
    message: string | null;
  }): Promise<void> {
    this.publishEvents(
      await this.db.query(remoteStatusSql, [m.task_id, m.attempt, m.agent_id, m.state, m.remote_task_id, m.message]),
    );
  }

  /**
   * The agent of a running attempt is gone (a remote agent stopped answering): its deadline is now,
   * so the next sweep times it out and re-dispatches it under the usual rules (max_attempts).
   */
  async expireAttempt(taskId: string, attempt: number, agentId: string): Promise<boolean> {
    return (await this.db.query(expireAttemptSql, [taskId, attempt, agentId])).length > 0;
  }

  // --- reads ---

  get(taskId: string): Promise<TaskView | undefined> {
    return taskOf(this.db, taskId);
  }

  attempts(taskId: string): Promise<AttemptView[]> {
    return attemptsOf(this.db, taskId);
  }

  events(taskId: string, afterId = '0'): Promise<TaskEventView[]> {
    return eventsOf(this.db, taskId, afterId);
  }

  list(query: ListTasksQuery): Promise<{ tasks: TaskView[]; next_cursor: string | null }> {
    return listOf(this.db, query);
  }

  /** Attempts recorded as dispatched that no agent has started and whose deadline is ahead. */
  unstartedAttempts(limit: number): ReturnType<typeof unstartedAttempts> {
    return unstartedAttempts(this.db, limit);
  }

  /** Of these tasks, the attempts (`task_id:attempt`) out on `agentId` now: what its slot leases should match. */
  async attemptsInFlight(agentId: string, taskIds: string[]): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT task_id::text || ':' || attempt AS id FROM task_history
        WHERE task_id = ANY($1::uuid[]) AND agent_id = $2 AND status IN ('pending', 'in_progress') AND dispatched_at IS NOT NULL`,
      [taskIds, agentId],
    );
    return rows.map((r) => r.id);
  }

  async pendingCount(): Promise<number> {
    const rows = await this.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM task_history WHERE status = 'pending'`,
    );
    return Number(rows[0].n);
  }

  /** Tasks waiting for a slot (undispatched), counted up to `cap` (the partial index answers it). */
  async waitingCount(cap: number): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM task_history WHERE status = 'pending' AND dispatched_at IS NULL LIMIT $1) t`,
      [cap],
    );
    return rows[0]?.n ?? 0;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.groupCommit.close();
  }

  private publishEvents(events: TaskCommit['events']): void {
    if (events.length > 0) this.publish({ ...emptyCommit(), events });
  }

  private publish(commit: TaskCommit): void {
    if (!isEmptyCommit(commit)) this.commits.next(commit);
  }
}
