// Over 400 lines: kept whole while wave 2's branches merged into it; splitting it by responsibility is issue 10's
// named work (docs/architecture.md, "Known debt"), to be done before more features land here.
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
import { actorOf, AuditScope, AuditService, Principal } from '@app/auth';
import { DomainException, KeyedSerializer } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { fieldError } from '../common/field-error';
import { assertInputWithinLimits } from '../limits/input-limits';
import { OrchestratorMetrics } from '../metrics/orchestrator-metrics';
import { AcceptedTask, TaskOutcomeNotice } from '../tasks/task.types';
import { TaskEventsHub } from '../tasks/task-events.hub';
import { followHistory, TasksService } from '../tasks/tasks.service';
import { inputSchema, JsonSchema } from './definition/input-schema';
import { WorkflowCatalog } from './definition/workflow-catalog';
import { WorkflowDefinition } from './definition/workflow-definition';
import { EngineResult, NewWorkflowTask, RunState, TERMINAL_RUN_STATUSES } from './engine/run-state';
import { EngineError, TaskOutcome, WorkflowEngine } from './engine/workflow-engine';
import { RunEventView, RunRow, StepView, WorkflowRunsRepository } from './workflow-runs.repository';
import { traceparentOf } from '@app/observability';
import { OpenSpans } from '../tracing/open-spans';
import { UsageRepository } from '../usage/usage.repository';
import { UsageTotals } from '../usage/usage-totals';
import type { TaskBudget } from '../tasks/task.types';
import { budgetStop, remainingBudget } from './run-budget';

const RECONCILE_EVERY_MS = 5_000;
const RUN_END_EVENTS = ['run_completed', 'run_failed', 'run_canceled'];

export interface RunView {
  run_id: string;
  workflow: string;
  /** The definition version the run is pinned to. */
  workflow_version: number | null;
  status: string;
  input: Record<string, unknown>;
  output: unknown;
  error: string | null;
  /** Who started the run (`kind:name`); null with auth disabled. */
  created_by: string | null;
  pending_approval: { step_key: string; prompt: string; decisions: string[] } | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  steps: StepView[];
}

/** Who asks for a change of a run (recorded as created_by / decided_by and in the audit row). */
export interface RunActor {
  principal?: Principal;
  /** The request's audit: its row commits with the change. Without one (a schedule fire) a row is written anyway. */
  audit?: AuditScope;
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
  private readonly chains = new KeyedSerializer();
  private readonly runEvents$ = new Subject<RunEventView>();
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly runs: WorkflowRunsRepository,
    private readonly tasks: TasksService,
    private readonly hub: TaskEventsHub,
    private readonly metrics: OrchestratorMetrics,
    private readonly audit: AuditService,
    private readonly spans: OpenSpans,
    private readonly usage: UsageRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.hub.outcomes$.subscribe((notice) => this.onTaskOutcome(notice));
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    void this.reconcile();
  }

  /** The newest version of every workflow. */
  async list(): Promise<{
    workflows: { name: string; version: number; description: string; required_input: string[]; steps: string[] }[];
  }> {
    return {
      workflows: (await this.catalog.latestAll()).map(({ definition: d, version }) => ({
        name: d.name,
        version,
        description: d.description,
        required_input: d.input?.required ?? [],
        steps: Object.keys(d.steps),
      })),
    };
  }

  /** One definition (the newest version, or `version`) with the JSON Schema of its input. */
  async definition(
    name: string,
    version?: number,
  ): Promise<WorkflowDefinition & { version: number; input_schema: JsonSchema }> {
    const found = version === undefined ? await this.catalog.latest(name) : await this.catalog.get(name, version);
    return { ...found.definition, version: found.version, input_schema: inputSchema(found.definition) };
  }

  /**
   * `options.runId` lets a caller that must not start a run twice (a schedule fire) choose its id;
   * `options.budget` replaces the definition's default budget.
   */
  async start(
    name: string,
    input: Record<string, unknown>,
    actor: RunActor = {},
    options: { runId?: string; budget?: TaskBudget } = {},
  ): Promise<{ run_id: string; status: string }> {
    // The run is pinned to the version it starts with: an update later never changes it.
    const { version, definition } = await this.catalog.latest(name);
    const engine = await this.catalog.engine(name, version);
    checkRunInput(definition, input);
    assertInputWithinLimits(input, 'input', this.config.limits);
    // A new run adds tasks; its later steps are accepted whatever the backlog (a started run finishes).
    this.tasks.assertBacklogRoom();
    const runId = options.runId ?? randomUUID();
    const result = engine.start(input);
    const budget = options.budget ? { ...options.budget } : (definition.budget ?? null);
    // The run's span lasts until the run ends; its steps' spans hang below it.
    const runTrace = this.spans.start(`run:${runId}`, `workflow.run ${name}`, traceparentOf() ?? null, {
      'expert_agents.workflow': name,
      'expert_agents.workflow_run_id': runId,
    });
    const after = await this.runs.transaction(async (runner) => {
      await this.runs.insertRun(
        runner,
        runId,
        name,
        input,
        result.state,
        version,
        actorOf(actor.principal),
        runTrace,
        budget,
      );
      const afterCommit = await this.persist(runner, runId, result, runTrace, budget);
      // The audit row commits (or not) with the run it records.
      await this.auditIn(runner, actor, 'workflows.start', runId, { workflow: name });
      return afterCommit;
    });
    actor.audit?.written();
    this.metrics.workflowRuns.inc({ workflow: name, status: 'running' });
    after();
    return { run_id: runId, status: result.state.status };
  }

  /** The newest definition's required input is present; `field` names it in the 400 (nested bodies prefix it). */
  async checkInput(name: string, input: Record<string, unknown>, field = 'input'): Promise<void> {
    checkRunInput((await this.catalog.latest(name)).definition, input, field);
  }

  async get(runId: string): Promise<RunView & UsageTotals & { budget: TaskBudget | null }> {
    const row = await this.runs.get(runId);
    if (!row) throw new DomainException('not_found', 'RUN_NOT_FOUND', `run_id: no workflow run ${runId}`);
    const [steps, totals] = await Promise.all([this.runs.steps(runId), this.usage.ofRun(runId)]);
    return { ...this.view(row, steps), ...totals, budget: row.budget ?? null };
  }

  async recent(limit = 50) {
    return { runs: await this.runs.list(limit) };
  }

  /** The decision, who made it (`decided_by` on the approval step) and its audit row commit together. */
  resume(runId: string, decision: string, comment?: string, actor: RunActor = {}): Promise<RunView> {
    return this.change(
      runId,
      (engine, state) => engine.resume(state, decision, comment),
      false,
      async (runner, before) => {
        const stepKey = before.state.approval?.step_key;
        if (stepKey) await this.runs.recordDecider(runner, runId, stepKey, actorOf(actor.principal));
        await this.auditIn(runner, actor, 'workflows.resume', runId, { decision, step_key: stepKey ?? null });
      },
      () => actor.audit?.written(),
    ).then(() => this.get(runId));
  }

  /** The change's audit row, in its transaction: the request's scope, or (no request) a row of its own. */
  private async auditIn(
    runner: QueryRunner,
    actor: RunActor,
    action: string,
    runId: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const resource = `workflow_run:${runId}`;
    if (actor.audit) return this.audit.insertIn(runner, actor.audit, { resource, detail });
    await this.audit.record(
      { principal: actor.principal, action, resource, requestId: null, outcome: 'success', detail },
      runner,
    );
  }

  cancel(runId: string, reason = 'canceled by request', audit?: AuditScope): Promise<RunView> {
    if (audit) audit.resource = `workflow_run:${runId}`;
    return this.change(
      runId,
      (engine, state) => engine.cancel(state, reason),
      false,
      audit && ((runner) => this.audit.insertIn(runner, audit)),
      () => audit?.written(),
    ).then(() => this.get(runId));
  }

  /** Replays the run's events (after `afterId`, a reconnect's Last-Event-ID), then follows it live until it ends. */
  async events(runId: string, afterId?: string): Promise<Observable<RunEventView>> {
    await this.get(runId);
    return followHistory(
      () => this.runs.events(runId),
      this.runEvents$,
      (e) => e.run_id === runId,
      (e) => RUN_END_EVENTS.includes(e.type),
      afterId,
    );
  }

  private onTaskOutcome(notice: TaskOutcomeNotice): void {
    if (!notice.workflow_run_id || this.stopping) return;
    this.spans.end(`task:${notice.task_id}`, { status: notice.status, error: notice.error });
    void this.usage
      .costOfTask(notice.task_id)
      .then((c) => c && c.usd > 0 && this.metrics.workflowCost.inc({ workflow: c.workflow }, c.usd))
      .catch(() => undefined); // a metric, not a record: the attempt row holds the cost
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
    within?: (runner: QueryRunner, before: RunRow) => Promise<void>,
    committed?: () => void,
  ): Promise<void> {
    return this.chains.run(runId, () => this.applyLocked(runId, apply, quietIfFinished, within, committed));
  }

  private async applyLocked(
    runId: string,
    apply: (engine: WorkflowEngine, state: RunState) => EngineResult,
    quietIfFinished: boolean,
    within?: (runner: QueryRunner, before: RunRow) => Promise<void>,
    committed?: () => void,
  ): Promise<void> {
    let finishedAs: { workflow: string; status: string } | undefined;
    const after = await this.runs.transaction(async (runner) => {
      const row = await this.runs.lockRun(runner, runId);
      if (!row) throw new DomainException('not_found', 'RUN_NOT_FOUND', `run_id: no workflow run ${runId}`);
      // Every read below goes through `runner`: a second pooled connection taken while this one is held in a
      // transaction starves the pool once as many changes run as it has connections (500s under load, issue 12).
      const engine = await this.catalog.engine(row.workflow, row.workflow_version ?? 1, runner);
      if (quietIfFinished && TERMINAL_RUN_STATUSES.includes(row.status)) return undefined;
      // A run with a budget: stop it once its tasks spent it, and give new tasks only what is left.
      const spent = row.budget ? await this.usage.ofRun(runId, runner) : undefined;
      const stop = row.budget && spent ? budgetStop(row.budget, spent) : undefined;
      let result: EngineResult;
      try {
        result =
          stop && !TERMINAL_RUN_STATUSES.includes(row.status) ? engine.fail(row.state, stop) : apply(engine, row.state);
      } catch (error) {
        if (error instanceof EngineError) {
          if (error.code === 'INVALID_DECISION') throw fieldError('decision', error.message);
          throw new DomainException('conflict', error.code, `run_id: ${error.message}`);
        }
        throw error;
      }
      const left = row.budget && spent ? remainingBudget(row.budget, spent) : null;
      const afterCommit = await this.persist(runner, runId, result, row.traceparent, left);
      await within?.(runner, row);
      if (!TERMINAL_RUN_STATUSES.includes(row.status) && TERMINAL_RUN_STATUSES.includes(result.state.status)) {
        finishedAs = { workflow: row.workflow, status: result.state.status };
      }
      return afterCommit;
    });
    if (after) committed?.();
    if (finishedAs) {
      this.metrics.workflowRuns.inc(finishedAs);
      this.spans.end(`run:${runId}`, { status: finishedAs.status });
    }
    after?.();
  }

  /** Writes what the engine decided; returns what to do once the transaction committed. */
  private async persist(
    runner: QueryRunner,
    runId: string,
    result: EngineResult,
    runTrace: string | null,
    budget: TaskBudget | null,
  ): Promise<() => void> {
    const newTasks: AcceptedTask[] = [];
    const toCancel: string[] = [];
    const steps = [];
    const events = [];
    for (const action of result.actions) {
      switch (action.type) {
        case 'create_task':
          newTasks.push({ ...this.toTask(runId, action.task, runTrace), budget });
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

  private toTask(runId: string, t: NewWorkflowTask, runTrace: string | null): AcceptedTask {
    const stepTrace = this.spans.start(`task:${t.task_id}`, `workflow.step ${t.step_key}`, runTrace, {
      'expert_agents.workflow_run_id': runId,
      'expert_agents.step_key': t.step_key,
      'expert_agents.task_id': t.task_id,
    });
    return this.tasks.newTask({
      traceparent: stepTrace,
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
      workflow_version: row.workflow_version,
      status: row.status,
      input: row.input,
      output: row.output,
      error: row.error,
      created_by: row.created_by,
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
    await this.chains.drain();
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

/** The definition's required input is present; `field` names it in the 400. */
function checkRunInput(definition: WorkflowDefinition, input: Record<string, unknown>, field = 'input'): void {
  for (const key of definition.input?.required ?? []) {
    const v = input[key];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0))
      throw fieldError(`${field}.${key}`, `is required by ${definition.name}`);
  }
}
