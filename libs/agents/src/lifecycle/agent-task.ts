import { randomUUID } from 'node:crypto';
import type { TokenUsage } from '../providers/model-provider';
import { TASK_STATUSES, type TaskStatus as ContractTaskStatus, type ValidationIssue } from '@app/contracts';

export { TASK_STATUSES };
/** The contracts' task status; the same name also holds the seed-style constants below. */
export type TaskStatus = ContractTaskStatus;
/** Seed-style constants: `TaskStatus.COMPLETED`. */
export const TaskStatus = {
  PENDING: 'pending',
  IN_PROGRESS: 'in_progress',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELED: 'canceled',
} as const satisfies Record<string, TaskStatus>;

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'canceled'];

/** Why a task failed; the agent host labels `agent_errors_total{error_type}` with it. */
export type TaskErrorType =
  | 'validation'
  | 'invalid_json'
  | 'consultation'
  | 'model_timeout'
  | 'model_rate_limited'
  | 'model_unavailable'
  | 'model_error'
  | 'execution'
  | 'budget_exceeded'
  | 'canceled';

export interface AgentTaskResult {
  output_kind: string;
  /** The validated output (for MockAgent: whatever its canned response was). */
  output: unknown;
  /** Which model produced it; `scripted` for the scripted provider, never mistaken for a model's work. */
  model: string;
  usage: TokenUsage;
  /** Model calls made, including the JSON repair attempt. */
  model_calls: number;
}

/** One unit of work (the seed's AgentTask); wire and data fields are snake_case. */
export interface AgentTask {
  task_id: string;
  title: string;
  description: string;
  /**
   * Free-form task input. Keys the runtime understands: `consult` (questions to ask other agents
   * first), `revision` (workflow revision number) and `scripted` (steers the scripted provider).
   */
  input: Record<string, unknown>;
  status: TaskStatus;
  result: AgentTaskResult | null;
  error: string | null;
  error_type: TaskErrorType | null;
  /** Every validator finding when the output was rejected. */
  validation_errors: ValidationIssue[];
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /** Delivery attempt, 1-based (a redelivered stream entry runs again with attempt + 1). */
  attempt: number;
  /** Tokens spent, recorded even when the task fails. */
  usage: TokenUsage;
  /** USD spent on model calls so far, from the price table (MeteredModelProvider adds each call's cost). */
  cost_usd?: number;
  /** Limits on this task's model spend: reaching one stops further model calls (`budget_exceeded`). */
  budget?: TaskBudget;
}

/** No field means no limit on it. */
export interface TaskBudget {
  max_tokens?: number;
  max_cost_usd?: number;
}

export interface NewTask {
  title: string;
  description?: string;
  input?: Record<string, unknown>;
  task_id?: string;
  attempt?: number;
  created_at?: string;
  budget?: TaskBudget;
}

export function createTask(spec: NewTask): AgentTask {
  return {
    task_id: spec.task_id ?? randomUUID(),
    title: spec.title,
    description: spec.description ?? '',
    input: spec.input ?? {},
    status: 'pending',
    result: null,
    error: null,
    error_type: null,
    validation_errors: [],
    created_at: spec.created_at ?? new Date().toISOString(),
    started_at: null,
    completed_at: null,
    attempt: spec.attempt ?? 1,
    usage: { input_tokens: 0, output_tokens: 0 },
    ...(spec.budget ? { budget: spec.budget } : {}),
  };
}
