import { Injectable } from '@nestjs/common';
import { Tx } from '@app/persistence';
import { AuditScope, AuditService, Principal } from '@app/auth';
import { DomainException, KeyedSerializer } from '@app/edge';
import { fieldError } from '../../common/field-error';
import { OrchestratorMetrics } from '../../metrics/orchestrator-metrics';
import { AcceptedTask, TaskBudget } from '../../tasks/task.types';
import { TaskStore } from '../../tasks/store';
import { TasksService } from '../../tasks/tasks.service';
import { OpenSpans } from '../../tracing/open-spans';
import { UsageRepository } from '../../usage/usage.repository';
import { WorkflowCatalog } from '../definition/workflow-catalog';
import { EngineResult, NewWorkflowTask, RunState, TERMINAL_RUN_STATUSES } from '../engine/run-state';
import { EngineError, WorkflowEngine } from '../engine/workflow-engine';
import { budgetStop, remainingBudget } from '../run-budget';
import { RunRow, WorkflowRunsRepository } from '../workflow-runs.repository';
import { RunEventStream } from './run-event-stream';

/** Who asks for a change of a run (recorded as created_by / decided_by and in the audit row). */
export interface RunActor {
  principal?: Principal;
  /** The request's audit: its row commits with the change. Without one (a schedule fire) a row is written anyway. */
  audit?: AuditScope;
}

/** A change's own work inside its transaction (decider, audit row), after the engine's result is written. */
export type WithinChange = (tx: Tx, before: RunRow) => Promise<void>;

/**
 * Applies changes to runs: every change (a task outcome, a decision, cancel) loads the run under a
 * row lock, applies the pure engine and writes state, step rows, events and new tasks in one
 * transaction; what must wait for the commit (dispatching new tasks, live events, cancels) runs
 * after it. Changes to one run are serialized in-process too.
 */
@Injectable()
export class RunChanges {
  private readonly chains = new KeyedSerializer();

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly runs: WorkflowRunsRepository,
    private readonly tasks: TasksService,
    private readonly taskStore: TaskStore,
    private readonly metrics: OrchestratorMetrics,
    private readonly audit: AuditService,
    private readonly spans: OpenSpans,
    private readonly usage: UsageRepository,
    private readonly stream: RunEventStream,
  ) {}

  /** One change to one run, serialized per run and applied under the run's row lock. */
  change(
    runId: string,
    apply: (engine: WorkflowEngine, state: RunState) => EngineResult,
    quietIfFinished = false,
    within?: WithinChange,
    committed?: () => void,
  ): Promise<void> {
    return this.chains.run(runId, () => this.applyLocked(runId, apply, quietIfFinished, within, committed));
  }

  /** Settles when every change queued so far has settled (shutdown). */
  drain(): Promise<void> {
    return this.chains.drain();
  }

  private async applyLocked(
    runId: string,
    apply: (engine: WorkflowEngine, state: RunState) => EngineResult,
    quietIfFinished: boolean,
    within?: WithinChange,
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
  async persist(
    runner: Tx,
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
    // The run's new tasks commit with it; the task store publishes them (to the dispatcher) once committed.
    await this.taskStore.change((c) => c.insert(newTasks), runner);
    await this.runs.upsertSteps(runner, runId, steps);
    const runEvents = await this.runs.insertEvents(runner, runId, events);
    return () => {
      for (const e of runEvents) this.stream.publish(e);
      for (const taskId of toCancel) {
        this.tasks.cancel(taskId, 'its workflow run ended').catch(() => undefined); // already final: nothing to stop
      }
    };
  }

  /** The change's audit row, in its transaction: the request's scope, or (no request) a row of its own. */
  async auditIn(
    runner: Tx,
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
}
