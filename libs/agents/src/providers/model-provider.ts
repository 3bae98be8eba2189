import type { AgentDefinition } from '../catalog/catalog.types';
import type { AgentTask } from '../lifecycle/agent-task';
import type { JsonSchema } from '../outputs/output-schemas';

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  /** Input tokens served from the provider's prompt cache (a part of input_tokens), where the provider reports it. */
  cached_input_tokens?: number;
}

export interface ModelMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** Why a call is made: the scripted provider answers each differently; real providers ignore it. */
export type ModelCallPurpose = 'task' | 'repair' | 'consult';

export interface ModelRequest {
  system: string;
  messages: ModelMessage[];
  /** Name of the JSON schema, e.g. `mcq_item` or `consultation`. */
  schema_name: string;
  schema: JsonSchema;
  purpose: ModelCallPurpose;
  /** Who is asking and about what; lets the scripted provider derive outputs, and logs name the agent. */
  agent: AgentDefinition;
  task?: AgentTask;
  /** Steering for the scripted provider (`input.scripted` of the task); real providers ignore it. */
  scripted?: unknown;
}

export interface ModelResponse {
  text: string;
  model: string;
  usage: TokenUsage;
  /** Why the model stopped (`stop`, `length`, `end_turn`, ...), as the provider says it. */
  finish_reason?: string;
  /** USD the call cost by the price table (set by MeteredModelProvider). */
  cost_usd?: number;
}

/** Every agent executes through this; chosen by MODEL_PROVIDER. */
export interface ModelProvider {
  readonly name: string;
  complete(request: ModelRequest, options?: { signal?: AbortSignal }): Promise<ModelResponse>;
}

export type ModelErrorKind = 'timeout' | 'rate_limited' | 'unavailable' | 'bad_request' | 'auth' | 'aborted' | 'failed';

/** A provider failure with a kind the agent host can count (`agent_errors_total{error_type}`). */
export class ModelProviderError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
    /** A 429's `retry-after`, in ms: the shared model limiter holds every host back this long. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelProviderError';
  }
}

export const ZERO_USAGE: TokenUsage = Object.freeze({ input_tokens: 0, output_tokens: 0 });

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const sum: TokenUsage = {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
  };
  const cached = (a.cached_input_tokens ?? 0) + (b.cached_input_tokens ?? 0);
  if (cached > 0) sum.cached_input_tokens = cached;
  return sum;
}
