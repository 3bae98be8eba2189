import { Artifact, TaskState, TaskStatus } from '@a2a-js/sdk';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { agentMessage, outputArtifact } from './a2a-messages';
import type { A2aTaskKind } from './a2a-task-store';

export interface A2aOutcome {
  state: TaskState;
  text: string;
  metadata: Record<string, unknown>;
  data?: unknown;
  artifact?: Artifact;
  /** False while our task or run is still going (the A2A task stays `working`). */
  final: boolean;
}

/**
 * Where our task or workflow run stands, in A2A terms. Both the executor (live) and the task store
 * (when no executor follows: another replica, a restart, a dropped stream) build the end of an A2A
 * task from here, so they agree; the artifact id is derived from our id, so it is stored once.
 */
export async function readOutcome(
  deps: { tasks: TasksService; workflows: WorkflowsService },
  kind: A2aTaskKind,
  targetId: string,
): Promise<A2aOutcome> {
  if (kind === 'task') {
    const task = await deps.tasks.get(targetId);
    const metadata = { task_id: targetId, agent_id: task.agent_id, attempt: task.attempt };
    switch (task.status) {
      case 'completed': {
        const r = (task.result ?? {}) as { output_kind?: string; output?: unknown; model?: string };
        return {
          state: TaskState.TASK_STATE_COMPLETED,
          text: `completed by ${task.agent_id ?? 'an agent'}`,
          metadata,
          artifact: outputArtifact(`${targetId}-output`, r.output_kind ?? 'result', r.output ?? r, {
            ...metadata,
            model: r.model,
          }),
          final: true,
        };
      }
      case 'failed':
        return { state: TaskState.TASK_STATE_FAILED, text: task.error ?? 'failed', metadata, final: true };
      case 'canceled':
        return { state: TaskState.TASK_STATE_CANCELED, text: task.error ?? 'canceled', metadata, final: true };
      default:
        return { state: TaskState.TASK_STATE_WORKING, text: task.status, metadata, final: false };
    }
  }
  const run = await deps.workflows.get(targetId);
  const metadata = { workflow_run_id: targetId, workflow: run.workflow };
  switch (run.status) {
    case 'completed':
      return {
        state: TaskState.TASK_STATE_COMPLETED,
        text: `${run.workflow} completed`,
        metadata,
        artifact: outputArtifact(`${targetId}-output`, run.workflow, run.output, metadata),
        final: true,
      };
    case 'failed':
      return {
        state: TaskState.TASK_STATE_FAILED,
        text: run.error ?? 'failed',
        metadata,
        data: run.output ?? undefined,
        final: true,
      };
    case 'canceled':
      return { state: TaskState.TASK_STATE_CANCELED, text: run.error ?? 'canceled', metadata, final: true };
    case 'input_required': {
      const a = run.pending_approval;
      return {
        state: TaskState.TASK_STATE_INPUT_REQUIRED,
        text: a ? `${a.prompt} Answer with one of: ${a.decisions.join(', ')}.` : 'input required',
        metadata,
        data: a ?? undefined,
        final: true,
      };
    }
    default:
      return { state: TaskState.TASK_STATE_WORKING, text: run.status, metadata, final: false };
  }
}

export function outcomeStatus(taskId: string, contextId: string, o: A2aOutcome): TaskStatus {
  return {
    state: o.state,
    message: agentMessage(taskId, contextId, o.text, o.data),
    timestamp: new Date().toISOString(),
  };
}
