import { randomUUID } from 'node:crypto';
import { Message, Part, Role, StreamResponse, Task, TaskState } from '@a2a-js/sdk';
import { Client, ClientFactory, JsonRpcTransportFactory, RestTransportFactory } from '@a2a-js/sdk/client';

export type Binding = 'JSONRPC' | 'HTTP+JSON';

/** An SDK client of a card URL, pinned to one binding. */
export async function a2aClient(
  origin: string,
  binding: Binding,
  cardPath = '/.well-known/agent-card.json',
  polling = false,
): Promise<Client> {
  const factory = new ClientFactory({
    transports: [new JsonRpcTransportFactory(), new RestTransportFactory()],
    preferredTransports: [binding],
    clientConfig: { polling },
  });
  return factory.createFromUrl(origin, cardPath);
}

export const text = (value: string): Part => ({
  content: { $case: 'text', value },
  mediaType: 'text/plain',
  filename: '',
  metadata: {},
});

export const data = (value: unknown): Part => ({
  content: { $case: 'data', value },
  mediaType: 'application/json',
  filename: '',
  metadata: {},
});

export function userMessage(parts: Part[], extra: Partial<Message> = {}): Message {
  return {
    messageId: randomUUID(),
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts,
    metadata: {},
    extensions: [],
    referenceTaskIds: [],
    ...extra,
  };
}

export function sendParams(message: Message, returnImmediately = false) {
  return {
    tenant: '',
    message,
    configuration: {
      acceptedOutputModes: [],
      taskPushNotificationConfig: undefined,
      returnImmediately,
    },
    metadata: {},
  };
}

export function asTask(result: unknown): Task {
  const t = result as Task;
  if (!t || typeof t !== 'object' || !('status' in t)) throw new Error(`not a task: ${JSON.stringify(result)}`);
  return t;
}

export async function collect(stream: AsyncGenerator<StreamResponse>): Promise<StreamResponse[]> {
  const out: StreamResponse[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

export const STATE = TaskState;

export function dataOf(task: Task): unknown {
  const part = task.artifacts[0]?.parts[0]?.content;
  return part?.$case === 'data' ? part.value : undefined;
}
