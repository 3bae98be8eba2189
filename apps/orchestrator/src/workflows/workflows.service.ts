import { randomUUID } from 'node:crypto';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { Observable, Subject, Subscription } from 'rxjs';
import { QueryRunner } from 'typeorm';
import { DomainException } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { fieldError } from '../common/field-error';
import { assertInputWithinLimits } from '../limits/input-limits';
import { OrchestratorMetrics } from '../metrics/orchestrator-metrics';
import { NewTask, TaskOutcomeNotice } from '../tasks/task.types';
import { TaskEventsHub } from '../tasks/task-events.hub';
import { followHistory, TasksService } from '../tasks/tasks.service';
import { EngineResult, NewWorkflowTask, RunState, TERMINAL_RUN_STATUSES } from './engine/run-state';
import { EngineError, TaskOutcome, WorkflowEngine } from './engine/workflow-engine';
import { RunEventView, RunRow, StepView, WorkflowRunsRepository } from './workflow-runs.repository';
import { WORKFLOW_DEFINITIONS, WorkflowDefinitions } from './workflow-definitions.provider';

const RECONCILE_EVERY_MS = 5_000;
const RUN_END_EVENTS = ['run_completed', 'run_failed', 'run_canceled'];

export interface RunView {
  run_id: string;
  workflow: string;
  status: string;
  input: Record<string, unknown>;
  output: unknown;
  error: string | null;
  pending_approval: { step_key: string; prompt: string; decisions: string[] } | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  steps: StepView[];
}

/**
 * Runs workflows: every change to a run (start, a task outcome, a decision, cancel) loads the
 * run under a row lock, applies the pure engine and writes state, step rows, events and new
 * tasks in one transaction. Changes to one run are serialized in-process too. After a restart,
 * and every few seconds, runs waiting for tasks that already ended are caught up.
 */
@Injectable()
export class WorkflowsService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly log = new Logger(WorkflowsService.name);
  private readonly engines = new Map<string, WorkflowEngine>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly runEvents$ = new Subject<RunEventView>();
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    @Inject(WORKFLOW_DEFINITIONS) private readonly definitions: WorkflowDefinitions,
    private readonly runs: WorkflowRunsRepository,
    private readonly tasks: TasksService,
    private readonly hub: TaskEventsHub,
    private readonly metrics: OrchestratorMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    for (const [name, def] of definitions)
      this.engines.set(name, new WorkflowEngine(def, undefined, config.limits.foreachMaxItems));
  }

  onApplicationBootstrap(): void {
    this.subscription = this.hub.outcomes$.subscribe((notice) => this.onTaskOutcome(notice));
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    void this.reconcile();
  }

  list(): { workflows: { name: string; description: string; required_input: string[]; steps: string[] }[] } {
    return {
      workflows: [...this.definitions.values()].map((d) => ({
        name: d.name,
        description: d.description,
        required_input: d.input?.required ?? [],
        steps: Object.keys(d.steps),
      })),
    };
  }

  async start(name: string, input: Record<string, unknown>): Promise<{ run_id: string; status: string }> {
    const engine = this.engines.get(name);
    if (!engine)
      throw new DomainException(
        'not_found',
        'WORKFLOW_NOT_FOUND',
        `name: no workflow "${name}" (known: ${[...this.engines.keys()].join(', ')})`,
      );
    for (const field of this.definitions.get(name)!.input?.required ?? []) {
      const v = input[field];
      if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0))
        throw fieldError(`input.${field}`, `is required by ${name}`);
    }
    assertInputWithinLimits(input, 'input', this.config.limits);
    const runId = randomUUID();
    const result = engine.start(input);
    const runner = this.runs.createRunner();
    await runner.connect();
    let after: () => void;
    try {
      await runner.startTransaction();
      await this.runs.insertRun(runner, runId, name, input, result.state);
      after = await this.persist(runner, runId, result);
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    this.metrics.workflowRuns.inc({ workflow: name, status: 'running' });
    after();
    return { run_id: runId, status: result.state.status };
  }

  async get(runId: string): Promise<RunView> {
    const row = await this.runs.get(runId);
    if (!row) throw new DomainException('not_found', 'RUN_NOT_FOUND', `run_id: no workflow run ${runId}`);
    return this.view(row, await this.runs.steps(runId));
  }

  async recent(limit = 50) {
    return { runs: await this.runs.list(limit) };
  }

  resume(runId: string, decision: string, comment?: string): Promise<RunView> {
    return this.change(runId, (engine, state) => engine.resume(state, decision, comment)).then(() => this.get(runId));
  }

  cancel(runId: string, reason = 'canceled by request'): Promise<RunView> {
    return this.change(runId, (engine, state) => engine.cancel(state, reason)).then(() => this.get(runId));
  }

  /** Replays the run's events, then follows it live until it ends. */
  async events(runId: string): Promise<Observable<RunEventView>> {
    await this.get(runId);
    return followHistory(
      () => this.runs.events(runId),
      this.runEvents$,
      (e) => e.run_id === runId,
      (e) => RUN_END_EVENTS.includes(e.type),
    );
  }

  private onTaskOutcome(notice: TaskOutcomeNotice): void {
    if (!notice.workflow_run_id || this.stopping) return;
    const outcome = toOutcome(notice.status, notice.result, notice.error);
    this.change(
      notice.workflow_run_id,
      (engine, state) => engine.onTaskFinished(state, notice.task_id, outcome),
      true,
    ).catch((error: unknown) =>
      // The periodic reconcile retries from the database.
      this.log.warn(
        `run ${notice.workflow_run_id} not advanced for task ${notice.task_id}: ${(error as Error).message}`,
      ),
    );
  }

  private async reconcile(): Promise<void> {
    if (this.stopping) return;
    try {
      for (const s of await this.runs.stalled()) {
        const outcome = toOutcome(s.status, s.result, s.error);
        await this.change(s.run_id, (engine, state) => engine.onTaskFinished(state, s.task_id, outcome), true).catch(
          (error: unknown) => this.log.warn(`run ${s.run_id} not reconciled: ${(error as Error).message}`),
        );
      }
    } catch (error) {
      this.log.warn(`workflow reconcile failed: ${(error as Error).message}`);
    }
  }

  /** One change to one run, serialized per run and applied under the run's row lock. */
  private change(
    runId: string,
    apply: (engine: WorkflowEngine, state: RunState) => EngineResult,
    quietIfFinished = false,
  ): Promise<void> {
    const previous = this.chains.get(runId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.applyLocked(runId, apply, quietIfFinished));
    this.chains.set(runId, next);
    void next
      .finally(() => {
        if (this.chains.get(runId) === next) this.chains.delete(runId);
      })
      .catch(() => undefined);
    return next;
  }

  private async applyLocked(
    runId: string,
    apply: (engine: WorkflowEngine, state: RunState) => EngineResult,
    quietIfFinished: boolean,
  ): Promise<void> {
    const runner = this.runs.createRunner();
    await runner.connect();
    let after: (() => void) | undefined;
    let finishedAs: { workflow: string; status: string } | undefined;
    try {
      await runner.startTransaction();
      const row = await this.runs.lockRun(runner, runId);
      if (!row) throw new DomainException('not_found', 'RUN_NOT_FOUND', `run_id: no workflow run ${runId}`);
      const engine = this.engines.get(row.workflow);
      if (!engine)
        throw new DomainException(
          'unavailable',
          'WORKFLOW_NOT_LOADED',
          `workflow ${row.workflow} of run ${runId} is not defined in this deployment`,
        );
      if (quietIfFinished && TERMINAL_RUN_STATUSES.includes(row.status)) {
        await runner.commitTransaction();
        return;
      }
      let result: EngineResult;
      try {
        result = apply(engine, row.state);
      } catch (error) {
        if (error instanceof EngineError) {
          if (error.code === 'INVALID_DECISION') throw fieldError('decision', error.message);
          throw new DomainException('conflict', error.code, `run_id: ${error.message}`);
        }
        throw error;
      }
      after = await this.persist(runner, runId, result);
      await runner.commitTransaction();
      if (!TERMINAL_RUN_STATUSES.includes(row.status) && TERMINAL_RUN_STATUSES.includes(result.state.status)) {
        finishedAs = { workflow: row.workflow, status: result.state.status };
      }
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    if (finishedAs) this.metrics.workflowRuns.inc(finishedAs);
    after?.();
  }

  /** Writes what the engine decided; returns what to do once the transaction committed. */
  private async persist(runner: QueryRunner, runId: string, result: EngineResult): Promise<() => void> {
    const newTasks: NewTask[] = [];
    const toCancel: string[] = [];
    const steps = [];
    const events = [];
    for (const action of result.actions) {
      switch (action.type) {
        case 'create_task':
          newTasks.push(this.toTask(runId, action.task));
          break;
        case 'cancel_task':
          toCancel.push(action.task_id);
          break;
        case 'step':
          steps.push(action.record);
          break;
        case 'event':
          events.push(action.event);
          break;
      }
    }
    await this.runs.saveState(runner, runId, result.state);
    const taskEvents = await this.tasks.insertWithin(runner, newTasks);
    await this.runs.upsertSteps(runner, runId, steps);
    const runEvents = await this.runs.insertEvents(runner, runId, events);
    return () => {
      this.tasks.afterExternalInsert(newTasks, taskEvents);
      for (const e of runEvents) this.runEvents$.next(e);
      for (const taskId of toCancel) {
        this.tasks.cancel(taskId, 'its workflow run ended').catch(() => undefined); // already final: nothing to stop
      }
    };
  }

  private toTask(runId: string, t: NewWorkflowTask): NewTask {
    return this.tasks.newTask({
      task_id: t.task_id,
      title: t.title || t.step_key,
      description: t.description,
      input: t.input,
      requested_agent_id: t.agent_id ?? null,
      role: t.agent_id ? null : (t.role ?? null),
      capability: t.agent_id ? null : (t.capability ?? null),
      min_proficiency: t.agent_id ? null : (t.min_proficiency ?? null),
      priority: t.priority ?? 0,
      timeout_seconds: t.timeout_seconds,
      max_attempts: t.max_attempts,
      idempotency_key: null,
      workflow_run_id: runId,
      step_key: t.step_key,
    });
  }

  private view(row: RunRow, steps: StepView[]): RunView {
    const approval = row.state.approval;
    return {
      run_id: row.run_id,
      workflow: row.workflow,
      status: row.status,
      input: row.input,
      output: row.output,
      error: row.error,
      pending_approval: approval
        ? { step_key: approval.step_key, prompt: approval.prompt, decisions: approval.decisions }
        : null,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
      completed_at: row.completed_at ? new Date(row.completed_at).toISOString() : null,
      steps,
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.chains.values()]);
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}

/** A step's output is the agent's deliverable: agent hosts report {output, output_kind, model, usage}. */
function toOutcome(status: 'completed' | 'failed' | 'canceled', result: unknown, error: string | null): TaskOutcome {
  if (status !== 'completed') return { status, error: error ?? status };
  const wrapped = typeof result === 'object' && result !== null && !Array.isArray(result) && 'output' in result;
  return { status: 'completed', output: wrapped ? result.output : result };
}
