import { randomUUID } from 'node:crypto';
import { Artifact, Message, Part, Role, Task, TaskState, TaskStatusUpdateEvent } from '@a2a-js/sdk';

/** Builders of the SDK's A2A objects (its internal, protobuf-shaped form). */
export const textPart = (text: string): Part => ({
  content: { $case: 'text', value: text },
  mediaType: 'text/plain',
  filename: '',
  metadata: {},
});

export const dataPart = (value: unknown): Part => ({
  content: { $case: 'data', value },
  mediaType: 'application/json',
  filename: '',
  metadata: {},
});

export function agentMessage(taskId: string, contextId: string, text: string, data?: unknown): Message {
  return {
    messageId: randomUUID(),
    taskId,
    contextId,
    role: Role.ROLE_AGENT,
    parts: data === undefined ? [textPart(text)] : [textPart(text), dataPart(data)],
    metadata: {},
    extensions: [],
    referenceTaskIds: [],
  };
}

export function statusUpdate(
  task: { id: string; contextId: string },
  state: TaskState,
  text?: string,
  metadata: Record<string, unknown> = {},
  data?: unknown,
): TaskStatusUpdateEvent {
  return {
    taskId: task.id,
    contextId: task.contextId,
    status: {
      state,
      message: text === undefined ? undefined : agentMessage(task.id, task.contextId, text, data),
      timestamp: new Date().toISOString(),
    },
    metadata,
  };
}

/** The validated output of a task or run as one data-part artifact named after its kind. */
export function outputArtifact(
  artifactId: string,
  name: string,
  output: unknown,
  metadata: Record<string, unknown>,
): Artifact {
  return {
    artifactId,
    name,
    description: `validated ${name}`,
    parts: [dataPart(output)],
    metadata,
    extensions: [],
  };
}

export function workingTask(
  id: string,
  contextId: string,
  history: Message[],
  metadata: Record<string, unknown>,
): Task {
  return {
    id,
    contextId,
    status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: new Date().toISOString() },
    artifacts: [],
    history,
    metadata,
  };
}
