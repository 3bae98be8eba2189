import { BadRequestException, Logger } from '@nestjs/common';
import { TaskState } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { AgentEvent, AgentExecutor, ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';
import { lastValueFrom, Observable, takeWhile, tap } from 'rxjs';
import { DomainException } from '@app/edge';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { statusUpdate, workingTask } from './a2a-messages';
import { A2aOutcome, outcomeStatus, readOutcome } from './a2a-outcome';
import { AgentLookup, messageContent, resolveTarget } from './a2a-target';
import { PgA2aTaskStore } from './a2a-task-store';

export interface ExecutorDeps {
  tasks: TasksService;
  workflows: WorkflowsService;
  workflowInputs: ReadonlyMap<string, { required: string[] }>;
  /** Which agents a message may name (catalog and registered remote agents). */
  agents?: AgentLookup;
}

type Ref = { id: string; contextId: string };

/** A decision for a waiting approval from a follow-up message: a data part {decision, comment} or text "<decision> [comment]". */
export function readDecision(
  message: RequestContext['userMessage'],
  decisions: string[],
): { decision: string; comment?: string } {
  const { text, data } = messageContent(message);
  if (typeof data.decision === 'string' && decisions.includes(data.decision))
    return { decision: data.decision, comment: typeof data.comment === 'string' ? data.comment : text || undefined };
  const [word, ...rest] = text.split(/\s+/);
  const decision = decisions.find((d) => d.toLowerCase() === (word ?? '').toLowerCase().replace(/[.,:;!]$/, ''));
  if (!decision)
    throw new RequestMalformedError(
      `message.parts: the task waits for a decision (${decisions.join(' | ')}), as text or a data part {"decision"}`,
    );
  return { decision, comment: rest.join(' ') || undefined };
}

/** Our validation errors (field-named 400s) become the spec's invalid-params error. */
function asA2aError(error: unknown): unknown {
  if (error instanceof DomainException && error.kind === 'invalid') return new RequestMalformedError(error.message);
  if (error instanceof BadRequestException) {
    const body = error.getResponse() as { message?: unknown };
    return new RequestMalformedError(typeof body.message === 'string' ? body.message : error.message);
  }
  return error;
}

/**
 * Runs an A2A task on what exists: a new message becomes one of our tasks or a workflow run, and
 * the executor follows it (history then live) publishing A2A status and artifact events until it
 * ends or waits for input. The follow survives nothing by itself: the task store reads the final
 * state from our tables when no executor is left (see PgA2aTaskStore users in A2aHandlers).
 */
export class A2aExecutor implements AgentExecutor {
  private readonly log = new Logger(A2aExecutor.name);
  constructor(
    private readonly scope: string,
    private readonly store: PgA2aTaskStore,
    private readonly deps: ExecutorDeps,
  ) {}

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const ref: Ref = { id: ctx.taskId, contextId: ctx.contextId };
    if (ctx.task) return this.followUp(ctx, ref, bus);
    const target = resolveTarget(
      this.scope,
      ctx.userMessage,
      ctx.request.metadata,
      this.deps.workflowInputs,
      this.deps.agents,
    );
    let kind: 'task' | 'workflow_run';
    let targetId: string;
    try {
      if (target.kind === 'workflow_run') {
        kind = 'workflow_run';
        targetId = (await this.deps.workflows.start(target.workflow, target.input)).run_id;
      } else {
        kind = 'task';
        targetId = (await this.deps.tasks.submit({ ...target.dto, idempotency_key: `a2a:${ref.id}` })).task_id;
      }
    } catch (error) {
      throw asA2aError(error);
    }
    const metadata =
      kind === 'task'
        ? { task_id: targetId }
        : { workflow_run_id: targetId, workflow: (target as { workflow: string }).workflow };
    const task = workingTask(ref.id, ref.contextId, [ctx.userMessage], metadata);
    await this.store.link(task, kind, targetId);
    bus.publish(AgentEvent.task(task));
    await this.follow(kind, targetId, ref, bus, undefined);
  }

  private async followUp(ctx: RequestContext, ref: Ref, bus: ExecutionEventBus): Promise<void> {
    const link = await this.store.loadLink(ref.id);
    if (!link || link.kind !== 'workflow_run' || !link.target_id)
      throw new RequestMalformedError('message.taskId: this task takes no further input');
    const run = await this.deps.workflows.get(link.target_id);
    if (run.status !== 'input_required' || !run.pending_approval)
      throw new RequestMalformedError(`message.taskId: the task is not waiting for input (run is ${run.status})`);
    const { decision, comment } = readDecision(ctx.userMessage, run.pending_approval.decisions);
    const resumed = await this.deps.workflows.resume(link.target_id, decision, comment);
    bus.publish(
      AgentEvent.task({
        ...link.task,
        status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: new Date().toISOString() },
      }),
    );
    await this.follow('workflow_run', link.target_id, ref, bus, Date.parse(resumed.updated_at));
  }

  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    // A followed task publishes `canceled` when our task or run reports it; an idle one (waiting for input) does it here.
    if (this.store.followed.has(taskId)) return;
    const link = await this.store.loadLink(taskId);
    if (link)
      bus.publish(
        AgentEvent.statusUpdate(
          statusUpdate(
            { id: taskId, contextId: link.context_id },
            TaskState.TASK_STATE_CANCELED,
            'canceled by request',
          ),
        ),
      );
  }

  private async follow(
    kind: 'task' | 'workflow_run',
    targetId: string,
    ref: Ref,
    bus: ExecutionEventBus,
    since?: number,
  ): Promise<void> {
    this.store.followed.add(ref.id);
    try {
      if (kind === 'task') await this.followTask(targetId, ref, bus);
      else await this.followRun(targetId, ref, bus, since);
    } catch (error) {
      // Losing track (shutdown, database gone) is not a failure of the task: it stays `working`
      // here and any replica's next load reads the real outcome from our tables.
      this.log.warn(`A2A task ${ref.id} no longer followed: ${(error as Error).message}`);
      this.store.followed.delete(ref.id);
    } finally {
      this.store.releaseSoon(ref.id);
    }
  }

  private async followTask(taskId: string, ref: Ref, bus: ExecutionEventBus): Promise<void> {
    let last = '';
    const publish = (state: TaskState, text: string, meta: Record<string, unknown>) =>
      bus.publish(AgentEvent.statusUpdate(statusUpdate(ref, state, text, meta)));
    await lastValueFrom(
      this.deps.tasks.events(taskId).pipe(
        tap((e) => {
          const key = `${e.status}:${e.agent_id ?? ''}:${e.attempt}`;
          if (key === last || ['completed', 'failed', 'canceled'].includes(e.status)) return;
          last = key;
          publish(
            TaskState.TASK_STATE_WORKING,
            `${e.type}${e.agent_id ? ` (${e.agent_id}, attempt ${e.attempt})` : ''}`,
            {
              event: e.type,
              status: e.status,
              agent_id: e.agent_id,
              attempt: e.attempt,
            },
          );
        }),
      ),
      { defaultValue: undefined },
    );
    this.publishOutcome(await readOutcome(this.deps, 'task', taskId), ref, bus);
  }

  private async followRun(runId: string, ref: Ref, bus: ExecutionEventBus, since?: number): Promise<void> {
    const events: Observable<{
      type: string;
      step_key: string | null;
      created_at: string;
      detail: Record<string, unknown> | null;
    }> = await this.deps.workflows.events(runId);
    const fresh = (e: { created_at: string }) => since === undefined || Date.parse(e.created_at) >= since;
    await lastValueFrom(
      events.pipe(
        // Stops at a new approval wait (older ones replayed from history are passed over).
        takeWhile((e) => !(e.type === 'input_required' && fresh(e)), true),
        tap((e) => {
          if (!fresh(e) || e.type === 'input_required') return;
          if (['run_completed', 'run_failed', 'run_canceled'].includes(e.type)) return;
          bus.publish(
            AgentEvent.statusUpdate(
              statusUpdate(ref, TaskState.TASK_STATE_WORKING, `${e.type}${e.step_key ? ` ${e.step_key}` : ''}`, {
                event: e.type,
                step_key: e.step_key,
              }),
            ),
          );
        }),
      ),
      { defaultValue: undefined },
    );
    const outcome = await readOutcome(this.deps, 'workflow_run', runId);
    if (!outcome.final) this.log.warn(`run ${runId} followed to its end but is still ${outcome.text}`);
    else this.publishOutcome(outcome, ref, bus);
  }

  private publishOutcome(outcome: A2aOutcome, ref: Ref, bus: ExecutionEventBus): void {
    if (outcome.artifact)
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId: ref.id,
          contextId: ref.contextId,
          artifact: outcome.artifact,
          append: false,
          lastChunk: true,
          metadata: {},
        }),
      );
    bus.publish(
      AgentEvent.statusUpdate({
        taskId: ref.id,
        contextId: ref.contextId,
        status: outcomeStatus(ref.id, ref.contextId, outcome),
        metadata: outcome.metadata,
      }),
    );
  }
}
