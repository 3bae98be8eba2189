import type { Artifact, Message, Part, StreamResponse, Task } from '@a2a-js/sdk';
import { Role, TaskState } from '@a2a-js/sdk';
import type { TaskExecuteMessage } from '@app/contracts';

/** The A2A message one attempt sends: the title and description as text, the input as a data part. */
export function attemptMessage(m: TaskExecuteMessage, outputKind: string): Message {
  return {
    // Stable per attempt: a redelivered entry sends the same message id.
    messageId: `${m.task_id}:${m.attempt}`,
    contextId: m.workflow_run_id ?? m.task_id,
    taskId: '',
    role: Role.ROLE_USER,
    parts: [textPart(m.description ? `${m.title}\n\n${m.description}` : m.title), dataPart(m.input)],
    metadata: {
      task_id: m.task_id,
      attempt: m.attempt,
      output_kind: outputKind,
      ...(m.workflow_run_id ? { workflow_run_id: m.workflow_run_id } : {}),
      ...(m.step_id ? { step_id: m.step_id } : {}),
    },
    extensions: [],
    referenceTaskIds: [],
  };
}

const textPart = (value: string): Part => ({
  content: { $case: 'text', value },
  mediaType: 'text/plain',
  filename: '',
  metadata: {},
});

const dataPart = (value: unknown): Part => ({
  content: { $case: 'data', value },
  mediaType: 'application/json',
  filename: '',
  metadata: {},
});

export const TERMINAL_STATES = new Set([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);
/** Interrupted states: a routed task has nobody to answer them, so they end the attempt. */
export const INTERRUPTED_STATES = new Set([TaskState.TASK_STATE_INPUT_REQUIRED, TaskState.TASK_STATE_AUTH_REQUIRED]);

export function stateName(state: TaskState): string {
  return TaskState[state]?.replace(/^TASK_STATE_/, '').toLowerCase() ?? String(state);
}

/** What the stream told us so far about the remote task. */
export class RemoteTaskView {
  remoteTaskId: string | null = null;
  state: TaskState = TaskState.TASK_STATE_SUBMITTED;
  statusText: string | null = null;
  readonly artifacts = new Map<string, Artifact>();
  finalMessage: Message | null = null;

  /** Folds one stream event in; returns the status change to record, if any. */
  apply(event: StreamResponse): { state: TaskState; text: string | null } | undefined {
    const p = event.payload;
    if (!p) return undefined;
    switch (p.$case) {
      case 'task':
        return this.applyTask(p.value);
      case 'message':
        // A direct answer without a task: the exchange is over.
        this.finalMessage = p.value;
        this.state = TaskState.TASK_STATE_COMPLETED;
        return { state: this.state, text: null };
      case 'statusUpdate': {
        this.remoteTaskId ??= p.value.taskId || null;
        const status = p.value.status;
        if (!status) return undefined;
        this.state = status.state;
        this.statusText = textOf(status.message?.parts ?? []);
        return { state: status.state, text: this.statusText };
      }
      case 'artifactUpdate': {
        const a = p.value.artifact;
        if (!a) return undefined;
        const prior = this.artifacts.get(a.artifactId);
        this.artifacts.set(
          a.artifactId,
          p.value.append && prior ? { ...prior, parts: [...prior.parts, ...a.parts] } : a,
        );
        return undefined;
      }
    }
  }

  applyTask(task: Task): { state: TaskState; text: string | null } | undefined {
    this.remoteTaskId = task.id || this.remoteTaskId;
    for (const a of task.artifacts ?? []) this.artifacts.set(a.artifactId, a);
    if (!task.status) return undefined;
    this.state = task.status.state;
    this.statusText = textOf(task.status.message?.parts ?? []);
    return { state: this.state, text: this.statusText };
  }

  /**
   * The deliverable: the first data part of the artifacts (in order), else of the final message;
   * a text part holding JSON counts too (models often answer JSON as text).
   */
  output(): { found: true; value: unknown } | { found: false } {
    const parts = [...this.artifacts.values()].flatMap((a) => a.parts).concat(this.finalMessage?.parts ?? []);
    for (const part of parts) if (part.content?.$case === 'data') return { found: true, value: part.content.value };
    for (const part of parts) {
      if (part.content?.$case !== 'text') continue;
      try {
        return { found: true, value: JSON.parse(part.content.value) as unknown };
      } catch {
        // not JSON: keep looking
      }
    }
    return { found: false };
  }
}

function textOf(parts: Part[]): string | null {
  const text = parts
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .filter((t) => t !== '')
    .join('\n');
  return text === '' ? null : text.slice(0, 2000);
}
