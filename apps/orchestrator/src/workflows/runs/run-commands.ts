import { Injectable } from '@nestjs/common';
import { actorOf, AuditScope, AuditService } from '@app/auth';
import { WorkflowRunsRepository } from '../workflow-runs.repository';
import { RunActor, RunChanges } from './run-changes';
import { RunQueries, RunView } from './run-queries';

/** A person's commands on a started run: the decision on its pending approval, and cancel. */
@Injectable()
export class RunCommands {
  constructor(
    private readonly changes: RunChanges,
    private readonly queries: RunQueries,
    private readonly runs: WorkflowRunsRepository,
    private readonly audit: AuditService,
  ) {}

  /** The decision, who made it (`decided_by` on the approval step) and its audit row commit together. */
  resume(runId: string, decision: string, comment?: string, actor: RunActor = {}): Promise<RunView> {
    return this.changes
      .change(
        runId,
        (engine, state) => engine.resume(state, decision, comment),
        false,
        async (runner, before) => {
          const stepKey = before.state.approval?.step_key;
          if (stepKey) await this.runs.recordDecider(runner, runId, stepKey, actorOf(actor.principal));
          await this.changes.auditIn(runner, actor, 'workflows.resume', runId, { decision, step_key: stepKey ?? null });
        },
        () => actor.audit?.written(),
      )
      .then(() => this.queries.get(runId));
  }

  cancel(runId: string, reason = 'canceled by request', audit?: AuditScope): Promise<RunView> {
    if (audit) audit.resource = `workflow_run:${runId}`;
    return this.changes
      .change(
        runId,
        (engine, state) => engine.cancel(state, reason),
        false,
        audit && ((runner) => this.audit.insertIn(runner, audit)),
        () => audit?.written(),
      )
      .then(() => this.queries.get(runId));
  }
}
