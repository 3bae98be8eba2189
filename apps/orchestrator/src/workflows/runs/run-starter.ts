import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { actorOf } from '@app/auth';
import { APP_CONFIG, AppConfig } from '@app/config';
import { traceparentOf } from '@app/observability';
import { fieldError } from '../../common/field-error';
import { assertInputWithinLimits } from '../../limits/input-limits';
import { OrchestratorMetrics } from '../../metrics/orchestrator-metrics';
import { TaskBudget } from '../../tasks/task.types';
import { TasksService } from '../../tasks/tasks.service';
import { OpenSpans } from '../../tracing/open-spans';
import { WorkflowCatalog } from '../definition/workflow-catalog';
import { WorkflowDefinition } from '@app/contracts';
import { WorkflowRunsRepository } from '../workflow-runs.repository';
import { RunActor, RunChanges } from './run-changes';

/** Starts runs: checks the input, inserts the run with its first steps and tasks and its audit row in one transaction. */
@Injectable()
export class RunStarter {
  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly runs: WorkflowRunsRepository,
    private readonly changes: RunChanges,
    private readonly tasks: TasksService,
    private readonly metrics: OrchestratorMetrics,
    private readonly spans: OpenSpans,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
      const afterCommit = await this.changes.persist(runner, runId, result, runTrace, budget);
      // The audit row commits (or not) with the run it records.
      await this.changes.auditIn(runner, actor, 'workflows.start', runId, { workflow: name });
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
}

/** The definition's required input is present; `field` names it in the 400. */
function checkRunInput(definition: WorkflowDefinition, input: Record<string, unknown>, field = 'input'): void {
  for (const key of definition.input?.required ?? []) {
    const v = input[key];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0))
      throw fieldError(`${field}.${key}`, `is required by ${definition.name}`);
  }
}
