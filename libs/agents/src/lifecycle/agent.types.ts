import type { Logger } from '@nestjs/common';
import type { ConsultationAnswer } from '../outputs/output-kinds';
import type { ModelCallPurpose, ModelErrorKind, TokenUsage } from '../providers/model-provider';
import type { AgentMessenger, MessagePayload } from './agent-messenger';

/** The logger an agent and its parts write to (a Nest Logger by default). */
export type AgentLogger = Pick<Logger, 'log' | 'warn' | 'debug' | 'error'>;

/** What `execute` hands back before validation. */
export interface ExecutionOutcome {
  output: unknown;
  model: string;
  model_calls: number;
}

/** Passed to `execute`: the cancellation signal and a way to consult other agents. */
export interface ExecutionContext {
  signal: AbortSignal;
  ask(
    to: string,
    question: string,
    options?: { timeoutMs?: number; context?: MessagePayload },
  ): Promise<ConsultationAnswer>;
}

export interface AgentOptions {
  messenger?: AgentMessenger;
  /** Default limit for `ask()` (AGENT_ASK_TIMEOUT_SECONDS in the host); 30 s. */
  askTimeoutMs?: number;
  /**
   * Consultations (`ask()` through the task's context, `input.consult` included) one task may make
   * (AGENT_MAX_CONSULTATIONS_PER_TASK in the host); 10. Beyond it the task fails `consultation`, saying so.
   */
  maxConsultationsPerTask?: number;
  logger?: AgentLogger;
  /** Called after every model call (success or failure), e.g. for token and latency metrics in the host. */
  onModelCall?: (event: ModelCallEvent) => void;
}

export interface ModelCallEvent {
  agent_id: string;
  task_id: string | null;
  purpose: ModelCallPurpose;
  provider: string;
  /** The model that answered; the provider name when the call failed. */
  model: string;
  usage: TokenUsage;
  duration_ms: number;
  /** ModelProviderError kind (or `failed`) when the call threw. */
  error_kind: ModelErrorKind | null;
}

export type AgentRunState = 'idle' | 'working' | 'at_capacity';

export interface AgentStatusReport {
  agent_id: string;
  name: string;
  role: string;
  output_kind: string;
  provider: string;
  status: AgentRunState;
  active_tasks: number;
  max_concurrent_tasks: number;
  /** active_tasks / max_concurrent_tasks, 0..1. */
  load: number;
  active_task_ids: string[];
  tasks_completed: number;
  tasks_failed: number;
  tasks_canceled: number;
  usage: TokenUsage;
  messages_received: number;
  last_task_at: string | null;
  started_at: string;
}
