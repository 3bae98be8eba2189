import { Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { DomainException } from '@app/edge';
import { TaskBudget } from '../../tasks/task.types';
import { followHistory } from '../../tasks/tasks.service';
import { UsageRepository } from '../../usage/usage.repository';
import { UsageTotals } from '../../usage/usage-totals';
import { inputSchema, JsonSchema } from '../definition/input-schema';
import { WorkflowCatalog } from '../definition/workflow-catalog';
import { WorkflowDefinition } from '@app/contracts';
import { RunEventView, RunRow, StepView, WorkflowRunsRepository } from '../workflow-runs.repository';
import { RunEventStream } from './run-event-stream';

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

/** Reads: workflow definitions, runs with their steps and usage, and a run's event stream. */
@Injectable()
export class RunQueries {
  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly runs: WorkflowRunsRepository,
    private readonly usage: UsageRepository,
    private readonly stream: RunEventStream,
  ) {}

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

  async get(runId: string): Promise<RunView & UsageTotals & { budget: TaskBudget | null }> {
    const row = await this.runs.get(runId);
    if (!row) throw new DomainException('not_found', 'RUN_NOT_FOUND', `run_id: no workflow run ${runId}`);
    const [steps, totals] = await Promise.all([this.runs.steps(runId), this.usage.ofRun(runId)]);
    return { ...view(row, steps), ...totals, budget: row.budget ?? null };
  }

  async recent(limit = 50) {
    return { runs: await this.runs.list(limit) };
  }

  /** Replays the run's events (after `afterId`, a reconnect's Last-Event-ID), then follows it live until it ends. */
  async events(runId: string, afterId?: string): Promise<Observable<RunEventView>> {
    await this.get(runId);
    return followHistory(
      () => this.runs.events(runId),
      this.stream.live$,
      (e) => e.run_id === runId,
      (e) => RUN_END_EVENTS.includes(e.type),
      afterId,
    );
  }
}

function view(row: RunRow, steps: StepView[]): RunView {
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
