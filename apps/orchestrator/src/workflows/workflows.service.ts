import { Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AuditScope } from '@app/auth';
import { TaskBudget } from '../tasks/task.types';
import { UsageTotals } from '../usage/usage-totals';
import { JsonSchema } from './definition/input-schema';
import { WorkflowDefinition } from '@app/contracts';
import { RunActor } from './runs/run-changes';
import { RunCommands } from './runs/run-commands';
import { RunQueries, RunView } from './runs/run-queries';
import { RunStarter } from './runs/run-starter';
import { RunEventView } from './workflow-runs.repository';

export type { RunActor } from './runs/run-changes';
export type { RunView } from './runs/run-queries';

/**
 * The workflows module's face to the rest of the app (controller, schedules, RPC, A2A). The work is
 * in runs/: RunStarter starts runs, RunCommands applies decisions and cancels, RunQueries reads,
 * RunChanges applies every change in one transaction, TaskOutcomeFollower advances runs as tasks end.
 */
@Injectable()
export class WorkflowsService {
  constructor(
    private readonly starter: RunStarter,
    private readonly commands: RunCommands,
    private readonly queries: RunQueries,
  ) {}

  /** The newest version of every workflow. */
  list(): ReturnType<RunQueries['list']> {
    return this.queries.list();
  }

  /** One definition (the newest version, or `version`) with the JSON Schema of its input. */
  definition(
    name: string,
    version?: number,
  ): Promise<WorkflowDefinition & { version: number; input_schema: JsonSchema }> {
    return this.queries.definition(name, version);
  }

  /**
   * `options.runId` lets a caller that must not start a run twice (a schedule fire) choose its id;
   * `options.budget` replaces the definition's default budget.
   */
  start(
    name: string,
    input: Record<string, unknown>,
    actor: RunActor = {},
    options: { runId?: string; budget?: TaskBudget } = {},
  ): Promise<{ run_id: string; status: string }> {
    return this.starter.start(name, input, actor, options);
  }

  /** The newest definition's required input is present; `field` names it in the 400 (nested bodies prefix it). */
  checkInput(name: string, input: Record<string, unknown>, field = 'input'): Promise<void> {
    return this.starter.checkInput(name, input, field);
  }

  get(runId: string): Promise<RunView & UsageTotals & { budget: TaskBudget | null }> {
    return this.queries.get(runId);
  }

  recent(limit = 50): ReturnType<RunQueries['recent']> {
    return this.queries.recent(limit);
  }

  /** The decision, who made it (`decided_by` on the approval step) and its audit row commit together. */
  resume(runId: string, decision: string, comment?: string, actor: RunActor = {}): Promise<RunView> {
    return this.commands.resume(runId, decision, comment, actor);
  }

  cancel(runId: string, reason = 'canceled by request', audit?: AuditScope): Promise<RunView> {
    return this.commands.cancel(runId, reason, audit);
  }

  /** Replays the run's events (after `afterId`, a reconnect's Last-Event-ID), then follows it live until it ends. */
  events(runId: string, afterId?: string): Promise<Observable<RunEventView>> {
    return this.queries.events(runId, afterId);
  }
}
