/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type --
   the message's type derived from its schema, merged with the class that carries the compiled schema (see task-messages.ts). */
import type { FromSchema } from 'json-schema-to-ts';
import { agentAddress, agentId, anyObject, instant } from './schemas/message-fields';
import { compileSchema } from './schemas/schema-check';

/** Agent-to-agent traffic on the target agent's stream (or the broadcast stream), handled by its agent host. */
export const AgentPatterns = {
  /** One-way message (also what a broadcast carries). */
  Message: 'agent.message',
  /** Request: the handler's return value is the reply payload. */
  Ask: 'agent.ask',
} as const;

/** The seed's AgentMessage as carried by agent.message / agent.ask (open: the host has always ignored extra fields). */
export const AGENT_MESSAGE_SCHEMA = {
  type: 'object',
  properties: {
    message_id: { type: 'string', minLength: 1, maxChars: 100 },
    from_agent: agentId,
    /** An agent id, or `ALL` for a broadcast. */
    to_agent: agentAddress,
    message_type: { type: 'string', minLength: 1, maxChars: 100 },
    payload: anyObject,
    sent_at: instant,
    expects_reply: { type: 'boolean' },
    correlation_id: { type: 'string', maxChars: 200 },
  },
  required: ['message_id', 'from_agent', 'to_agent', 'message_type', 'payload', 'sent_at'],
} as const;

export interface AgentMessagePayload extends FromSchema<typeof AGENT_MESSAGE_SCHEMA> {}
export class AgentMessagePayload {
  static readonly schemaCheck = compileSchema<AgentMessagePayload>(AGENT_MESSAGE_SCHEMA);
}
