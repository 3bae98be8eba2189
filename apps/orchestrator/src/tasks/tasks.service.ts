import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { filter, Observable } from 'rxjs';
import { dependencyUnavailable, DomainException, isDependencyOutage } from '@app/edge';
import { AuditScope, AuditService } from '@app/auth';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskProgressMessage, TaskResultMessage, TaskStartedMessage, TaskWaitingMessage } from '@app/contracts';
import { TaskBus } from '../bus/task-bus.service';
import { fieldError } from '../common/field-error';
import { assertInputWithinLimits } from '../limits/input-limits';
import { BacklogLimit } from './backlog-limit.service';
import { Dispatcher } from './dispatcher.service';
import { CreateTaskDto } from './dto/create-task.dto';
import { ListTasksQuery } from './dto/list-tasks.query';
import { TaskEventsHub } from './task-events.hub';
import { AttemptView, decodeCursor, TaskStore, TaskView } from './store';
import { AcceptedTask, TaskEventView, TERMINAL_TASK_STATUSES } from './task.types';
import { inSpan, traceparentOf } from '@app/observability';
import { toTotals, UsageTotals } from '../usage/usage-totals';

export interface SubmitResult {
  task_id: string;
  status: string;
  /** False when an earlier submission with the same idempotency_key made this task. */
  created: boolean;
}

const CATCH_UP_MS = 2_000;

/**
 * The task lifecycle's entry points (HTTP, RPC, the bus's task messages): checks, then the task store.
 * What follows a commit (events, metrics, dispatch, freed slots) follows the store's published commits.
 */
@Injectable()
export class TasksService {
  private readonly log = new Logger(TasksService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: TaskStore,
    private readonly dispatcher: Dispatcher,
    private readonly bus: TaskBus,
    private readonly hub: TaskEventsHub,
    private readonly backlog: BacklogLimit,
    private readonly audit: AuditService,
  ) {}

  /**
   * Accepts a task: it is in PostgreSQL when this resolves, with the request's audit row (written by
   * the same group-commit statement). An idempotent repeat changes nothing: the edge records it.
   */
  async submit(dto: CreateTaskDto, createdBy: string | null = null, audit?: AuditScope): Promise<SubmitResult> {
    this.checkTarget(dto);
    assertInputWithinLimits(dto.input, 'input', this.config.limits);
    this.store.assertAccepting();
    this.backlog.assertAccepting();
    const task = this.newTask({
      title: dto.title,
      description: dto.description ?? '',
      input: dto.input ?? {},
      requested_agent_id: dto.agent_id ?? null,
      role: dto.role ?? null,
      capability: dto.capability ?? null,
      min_proficiency: dto.min_proficiency ?? null,
      priority: dto.priority ?? 0,
      timeout_seconds: dto.timeout_seconds,
      max_attempts: dto.max_attempts,
      queue_timeout_seconds: dto.queue_timeout_seconds,
      heartbeat_timeout_seconds: dto.heartbeat_timeout_seconds,
      idempotency_key: dto.idempotency_key ?? null,
      workflow_run_id: null,
      step_key: null,
      created_by: createdBy,
      budget: dto.budget ? { ...dto.budget } : null,
      audit: audit ? this.audit.columnsOf(audit) : null,
    });
    // Routed now when a slot is free and nobody waits for one (discovery is cached): written already dispatched, saving a commit.
    const lease = await this.dispatcher.routeAtAcceptance(task);
    try {
      const outcome = await inSpan('task.persist', { attributes: { 'expert_agents.task_id': task.task_id } }, () =>
        this.store.insert(task),
      );
      if (!outcome.created) lease?.release();
      if (audit && outcome.created) audit.written(`task:${outcome.task_id}`);
      else if (audit) audit.resource = `task:${outcome.task_id}`;
      return { task_id: outcome.task_id, status: outcome.status, created: outcome.created };
    } catch (error) {
      lease?.release();
      if (error instanceof DomainException) throw error; // e.g. ORCHESTRATOR_BUSY: says when to retry
      this.log.error(`task not accepted: ${(error as Error).message}`);
      if (isDependencyOutage(error)) throw dependencyUnavailable(error); // the bus waits it out in place
      throw new DomainException(
        'unavailable',
        'TASK_STORE_UNAVAILABLE',
        'the task could not be stored; retry with the same idempotency_key',
        { retry_after_seconds: 1 },
      );
    }
  }

  /** The rules class-validator cannot say: exactly one way to route; `field` prefixes nested bodies. */
  checkTarget(dto: CreateTaskDto, field = ''): void {
    if (dto.agent_id && (dto.role || dto.capability))
      throw fieldError(`${field}agent_id`, 'give either agent_id or role/capability, not both');
    if (!dto.agent_id && !dto.role && !dto.capability)
      throw fieldError(`${field}agent_id`, 'one of agent_id, role or capability is required');
    if (dto.min_proficiency !== undefined && !dto.capability)
      throw fieldError(`${field}min_proficiency`, 'applies only with capability');
  }

  newTask(
    fields: Omit<
      AcceptedTask,
      | 'task_id'
      | 'created_at'
      | 'timeout_seconds'
      | 'max_attempts'
      | 'queue_timeout_seconds'
      | 'heartbeat_timeout_seconds'
      | 'traceparent'
    > & {
      heartbeat_timeout_seconds?: number | null;
      task_id?: string;
      timeout_seconds?: number;
      max_attempts?: number;
      queue_timeout_seconds?: number;
      traceparent?: string | null;
    },
  ): AcceptedTask {
    return {
      ...fields,
      // The trace it was accepted in (the HTTP request's or RPC message's span), unless the caller gives one.
      traceparent: fields.traceparent ?? traceparentOf() ?? null,
      task_id: fields.task_id ?? randomUUID(),
      timeout_seconds: fields.timeout_seconds ?? this.config.orchestrator.taskTimeoutSeconds,
      max_attempts: fields.max_attempts ?? this.config.orchestrator.maxAttempts,
      queue_timeout_seconds: fields.queue_timeout_seconds ?? this.config.dispatch.queueTimeoutSeconds,
      heartbeat_timeout_seconds: fields.heartbeat_timeout_seconds ?? null,
      created_at: new Date().toISOString(),
    };
  }

  /** 503 TASK_BACKLOG_FULL while ORCHESTRATOR_PENDING_TASKS_MAX tasks wait for a slot (new workflow runs ask too). */
  assertBacklogRoom(): void {
    this.backlog.assertAccepting();
  }

  recordStarted(message: TaskStartedMessage): Promise<void> {
    return this.store.started(message);
  }

  /** A progress heartbeat: the running attempt's deadline moves on (never past its execution timeout). */
  recordProgress(message: TaskProgressMessage): Promise<void> {
    return this.store.heartbeat(message.task_id, message.attempt, message.agent_id);
  }

  /** A `waiting_for_model` event in the task's history (and on its SSE stream) while its attempt is running. */
  recordWaitingForModel(message: TaskWaitingMessage): Promise<void> {
    return this.store.waitingForModel(message);
  }

  /** A remote agent's streamed status, as an event in the task's history (and on its SSE stream). */
  recordRemoteStatus(m: Parameters<TaskStore['remoteStatus']>[0]): Promise<void> {
    return this.store.remoteStatus(m);
  }

  /** The attempt's agent is gone: the deadline sweeper re-dispatches it at its next pass. */
  expireAttempt(taskId: string, attempt: number, agentId: string): Promise<boolean> {
    return this.store.expireAttempt(taskId, attempt, agentId);
  }

  recordResult(message: TaskResultMessage): Promise<void> {
    return this.store.result(message);
  }

  async get(taskId: string): Promise<TaskView & UsageTotals & { attempts: AttemptView[]; history: TaskEventView[] }> {
    const task = await this.store.get(taskId);
    if (!task) throw new DomainException('not_found', 'TASK_NOT_FOUND', `task_id: no task ${taskId}`);
    const [attempts, history] = await Promise.all([this.store.attempts(taskId), this.store.events(taskId)]);
    return { ...task, ...toTotals(attempts), attempts, history };
  }

  list(query: ListTasksQuery): Promise<{ tasks: TaskView[]; next_cursor: string | null }> {
    if (query.cursor !== undefined && !decodeCursor(query.cursor))
      throw fieldError('cursor', 'is not a cursor this API returned');
    return this.store.list(query);
  }

  /** Cooperative cancel: a task that has not started never will; a running one is asked to stop. */
  async cancel(
    taskId: string,
    reason = 'canceled by request',
    audit?: AuditScope,
  ): Promise<{ task_id: string; status: string; cancel_requested: boolean }> {
    if (audit) audit.resource = `task:${taskId}`;
    // The audit row commits with the cancellation; a refusal (404, 409) is recorded by the edge.
    const outcome = await this.store.cancel(taskId, reason, audit && ((sql) => this.audit.insertIn(sql, audit)));
    if (audit && outcome.changed) audit.written();
    switch (outcome.kind) {
      case 'not_found':
        throw new DomainException('not_found', 'TASK_NOT_FOUND', `task_id: no task ${taskId}`);
      case 'final':
        throw new DomainException(
          'conflict',
          'TASK_NOT_CANCELABLE',
          `task_id: task ${taskId} is already ${outcome.status}`,
        );
      case 'canceled':
        // Already on an agent's stream: the host skips it when it reads the flag.
        if (outcome.dispatched) await this.signal(taskId, outcome.timeoutSeconds);
        return { task_id: taskId, status: 'canceled', cancel_requested: false };
      case 'requested':
        await this.signal(taskId, outcome.timeoutSeconds);
        return { task_id: taskId, status: 'in_progress', cancel_requested: true };
    }
  }

  private async signal(taskId: string, timeoutSeconds: number): Promise<void> {
    await this.bus.signalCancel(taskId, Math.max(3600, timeoutSeconds * 2)).catch((error: unknown) => {
      this.log.warn(`cancel signal for ${taskId} not sent: ${(error as Error).message}`);
    });
  }

  /**
   * Replays the task's history (after `afterId`, the Last-Event-ID of a reconnect), then follows it
   * live (with a periodic catch-up for other replicas' changes) until it ends.
   */
  events(taskId: string, afterId?: string): Observable<TaskEventView> {
    return followHistory(
      () => this.store.events(taskId),
      this.hub.events$,
      (e) => e.task_id === taskId,
      (e) => TERMINAL_TASK_STATUSES.includes(e.status),
      afterId,
    );
  }
}

/**
 * History then live: live events are buffered until the replay is out, each event is sent once
 * (by id), a periodic re-read catches changes made by other replicas, and the stream completes
 * after the event that `isLast` recognises.
 */
export function followHistory<T extends { id: string }>(
  load: () => Promise<T[]>,
  live$: Observable<T>,
  mine: (e: T) => boolean,
  isLast: (e: T) => boolean,
  afterId?: string,
): Observable<T> {
  // A reconnecting client (Last-Event-ID) already has every event up to afterId (ids are a sequence).
  const after = afterId === undefined ? undefined : BigInt(afterId);
  return new Observable<T>((subscriber) => {
    const seen = new Set<string>();
    let buffer: T[] | undefined = [];
    let done = false;
    const emit = (e: T) => {
      if (done || seen.has(e.id)) return;
      seen.add(e.id);
      if (after === undefined || BigInt(e.id) > after) subscriber.next(e);
      if (isLast(e)) {
        done = true;
        subscriber.complete();
      }
    };
    const reload = () =>
      load().then(
        (rows) => rows.forEach(emit),
        (error: unknown) => subscriber.error(error),
      );
    const liveSub = live$.pipe(filter(mine)).subscribe((e) => (buffer ? buffer.push(e) : emit(e)));
    void reload().then(() => {
      const pending = buffer ?? [];
      buffer = undefined;
      pending.forEach(emit);
    });
    const timer = setInterval(() => void reload(), CATCH_UP_MS);
    return () => {
      clearInterval(timer);
      liveSub.unsubscribe();
    };
  });
}
