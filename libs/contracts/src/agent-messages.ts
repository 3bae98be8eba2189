import { IsBoolean, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AGENT_ADDRESS_PATTERN, AGENT_ID_PATTERN } from './agent-id';

/** Agent-to-agent traffic on the target agent's stream (or the broadcast stream), handled by its agent host. */
export const AgentPatterns = {
  /** One-way message (also what a broadcast carries). */
  Message: 'agent.message',
  /** Request: the handler's return value is the reply payload. */
  Ask: 'agent.ask',
} as const;

/** The seed's AgentMessage as carried by agent.message / agent.ask. */
export class AgentMessagePayload {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  message_id!: string;

  @Matches(AGENT_ID_PATTERN)
  from_agent!: string;

  /** An agent id, or `ALL` for a broadcast. */
  @Matches(AGENT_ADDRESS_PATTERN)
  to_agent!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  message_type!: string;

  @IsObject()
  payload!: Record<string, unknown>;

  @IsISO8601()
  sent_at!: string;

  @IsOptional()
  @IsBoolean()
  expects_reply?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  correlation_id?: string;
}
