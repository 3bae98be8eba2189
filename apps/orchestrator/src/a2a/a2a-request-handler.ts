import { CancelTaskRequest, SendMessageRequest, StreamResponse, Task, TaskState } from '@a2a-js/sdk';
import {
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import { AgentEvent, DefaultRequestHandler, ExecutionEventBusManager, ServerCallContext } from '@a2a-js/sdk/server';
import { DomainException } from '@app/edge';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { readDecision } from './a2a-executor';
import { statusUpdate } from './a2a-messages';
import { AgentLookup, resolveTarget } from './a2a-target';
import { PgA2aTaskStore, TERMINAL_STATES } from './a2a-task-store';

export interface HandlerDeps {
  scope: string;
  store: PgA2aTaskStore;
  busManager: ExecutionEventBusManager;
  tasks: TasksService;
  workflows: WorkflowsService;
  workflowInputs: ReadonlyMap<string, { required: string[] }>;
  /** Which agents a message may name (catalog and registered remote agents). */
  agents?: AgentLookup;
  /** How long CancelTask waits for our task to confirm the cancel before answering with its current state. */
  cancelWaitMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The SDK's request handler with our rules in front: a message is checked (target, workflow
 * input, a decision for a waiting approval) before a task exists, so bad input is the spec's
 * invalid-params error rather than a failed task; cancel goes to our task or run first.
 */
export class A2aRequestHandler extends DefaultRequestHandler {
  constructor(
    private readonly deps: HandlerDeps,
    ...args: ConstructorParameters<typeof DefaultRequestHandler>
  ) {
    super(...args);
  }

  private async prevalidate(params: SendMessageRequest): Promise<void> {
    const message = params.message;
    if (!message?.messageId) throw new RequestMalformedError('message.messageId is required');
    if (!message.taskId) {
      resolveTarget(this.deps.scope, message, params.metadata, this.deps.workflowInputs, this.deps.agents);
      // A full backlog refuses here (503 + Retry-After at the controller), not as a failed A2A task.
      this.deps.tasks.assertBacklogRoom();
      return;
    }
    const link = await this.deps.store.loadLink(message.taskId);
    if (!link) throw new TaskNotFoundError(`Task not found: ${message.taskId}`);
    const state = link.task.status?.state;
    if (state !== undefined && TERMINAL_STATES.includes(state))
      throw new UnsupportedOperationError(`Task ${link.id} is in a terminal state and cannot be modified`);
    if (link.kind !== 'workflow_run' || !link.target_id || state !== TaskState.TASK_STATE_INPUT_REQUIRED)
      throw new UnsupportedOperationError(`Task ${link.id} is not waiting for input`);
    const run = await this.deps.workflows.get(link.target_id);
    if (!run.pending_approval) throw new UnsupportedOperationError(`Task ${link.id} is not waiting for input`);
    readDecision(message, run.pending_approval.decisions);
  }

  override async sendMessage(params: SendMessageRequest, context: ServerCallContext) {
    await this.prevalidate(params);
    return super.sendMessage(params, context);
  }

  override async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    await this.prevalidate(params);
    yield* super.sendMessageStream(params, context);
  }

  /** Cancels our task or run, then waits (bounded) for the A2A task to reach `canceled`. */
  override async cancelTask(params: CancelTaskRequest, _context: ServerCallContext): Promise<Task> {
    if (!params.id?.trim()) throw new RequestMalformedError('id is required');
    const link = await this.deps.store.loadLink(params.id);
    if (!link) throw new TaskNotFoundError(`Task not found: ${params.id}`);
    const state = link.task.status?.state;
    if (state === TaskState.TASK_STATE_CANCELED) return link.task;
    if (state !== undefined && TERMINAL_STATES.includes(state))
      throw new TaskNotCancelableError(`Task ${params.id} is already finished`);
    if (link.target_id) {
      try {
        if (link.kind === 'task') await this.deps.tasks.cancel(link.target_id, 'canceled by an A2A client');
        else if (link.kind === 'workflow_run')
          await this.deps.workflows.cancel(link.target_id, 'canceled by an A2A client');
      } catch (error) {
        if (error instanceof DomainException && error.kind === 'conflict')
          throw new TaskNotCancelableError(`Task ${params.id} is already finished`);
        throw error;
      }
    }
    // A task waiting for input has no executor following it: tell its live subscribers here.
    if (state === TaskState.TASK_STATE_INPUT_REQUIRED) {
      const bus = this.deps.busManager.getByTaskId(params.id);
      bus?.publish(
        AgentEvent.statusUpdate(statusUpdate(link.task, TaskState.TASK_STATE_CANCELED, 'canceled by request')),
      );
      bus?.finished();
      this.deps.busManager.cleanupByTaskId(params.id);
    }
    const deadline = Date.now() + this.deps.cancelWaitMs;
    for (;;) {
      const now = await this.deps.store.loadLink(params.id);
      const s = now?.task.status?.state;
      if (now && s !== undefined && TERMINAL_STATES.includes(s)) {
        if (s !== TaskState.TASK_STATE_CANCELED)
          throw new TaskNotCancelableError(`Task ${params.id} finished before it could be canceled`);
        return now.task;
      }
      if (Date.now() > deadline) return now!.task;
      await sleep(100);
    }
  }
}
