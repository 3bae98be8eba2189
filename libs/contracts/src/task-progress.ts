/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type --
   the message's type derived from its schema, merged with the class the validation pipe is handed (see task-messages.ts). */
import type { FromSchema } from 'json-schema-to-ts';
import { agentId, attempt, uuid } from './schemas/message-fields';
import { compileSchema } from './schemas/schema-check';

/** payload of task.progress: the attempt is still being worked on (its heartbeat deadline moves on). */
export const TASK_PROGRESS_SCHEMA = {
  type: 'object',
  properties: { task_id: uuid, attempt, agent_id: agentId },
  required: ['task_id', 'attempt', 'agent_id'],
  additionalProperties: false,
} as const;

export interface TaskProgressMessage extends FromSchema<typeof TASK_PROGRESS_SCHEMA> {}
export class TaskProgressMessage {
  static readonly schemaCheck = compileSchema<TaskProgressMessage>(TASK_PROGRESS_SCHEMA);
}
