import type { AuditColumns } from '@app/auth';
import { TaskStatus } from '@app/contracts';

/** A task as accepted, before it is written (ids are made here so a batch knows them before commit). */
export interface AcceptedTask {
  task_id: string;
  title: string;
  description: string;
  input: Record<string, unknown>;
  requested_agent_id: string | null;
  role: string | null;
  capability: string | null;
  min_proficiency: number | null;
  priority: number;
  /** Execution timeout of each attempt, counted from its start. */
  timeout_seconds: number;
  max_attempts: number;
  /** Accepted → started at most this long, else the task fails (queue timeout). */
  queue_timeout_seconds: number;
  /** Progress heartbeat timeout of each attempt (null: none). */
  heartbeat_timeout_seconds: number | null;
  idempotency_key: string | null;
  workflow_run_id: string | null;
  step_key: string | null;
  created_at: string;
  /** Who submitted it (`kind:name` of the principal); null for workflow steps and with auth disabled. */
  created_by?: string | null;
  /** W3C traceparent of the span that accepted it: dispatches, execution and results continue that trace. */
  traceparent: string | null;
  /** Limits on its model spend, sent with every attempt. */
  budget?: TaskBudget | null;
  /** The submission's audit row, written in the same statement as the task (null: a workflow step, no request). */
  audit?: AuditColumns | null;
  /** Routed at acceptance: written as attempt 1 on this agent in the same commit, then appended. */
  route?: { agent_id: string; deadline: string };
}

/** What the dispatcher needs to send one attempt. */
export interface DispatchCandidate {
  task_id: string;
  /** The attempt this dispatch creates (current attempt + 1). */
  attempt: number;
  title: string;
  description: string;
  input: Record<string, unknown>;
  requested_agent_id: string | null;
  role: string | null;
  capability: string | null;
  min_proficiency: number | null;
  timeout_seconds: number;
  heartbeat_timeout_seconds: number | null;
  workflow_run_id: string | null;
  step_key: string | null;
  created_at: string;
  /** The agent of the previous attempt (a re-dispatch prefers another one). */
  previous_agent_id: string | null;
  /** The task's trace (see AcceptedTask.traceparent). */
  traceparent: string | null;
  budget?: TaskBudget | null;
}

/**
 * A task's or run's budget; no field means no limit. (A type, not an interface: it is sent as task.execute's open
 * `budget`, whose derived type allows more properties.)
 */
export type TaskBudget = {
  max_tokens?: number;
  max_cost_usd?: number;
};

export interface DispatchItem {
  task_id: string;
  attempt: number;
  agent_id: string;
  deadline: string;
  at: string;
  reason: string | null;
}

export interface TaskEventView {
  id: string;
  task_id: string;
  attempt: number;
  type: string;
  status: TaskStatus;
  agent_id: string | null;
  detail: Record<string, unknown> | null;
  created_at: string;
}

export type TaskOutcomeStatus = 'completed' | 'failed' | 'canceled';

/** A task reached a final status (recorded and committed). */
export interface TaskOutcomeNotice {
  task_id: string;
  workflow_run_id: string | null;
  status: TaskOutcomeStatus;
  result: unknown;
  error: string | null;
  agent_id: string | null;
}

export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'canceled'];

export function candidateFromNew(t: AcceptedTask): DispatchCandidate {
  return {
    task_id: t.task_id,
    attempt: 1,
    title: t.title,
    description: t.description,
    input: t.input,
    requested_agent_id: t.requested_agent_id,
    role: t.role,
    capability: t.capability,
    min_proficiency: t.min_proficiency,
    timeout_seconds: t.timeout_seconds,
    heartbeat_timeout_seconds: t.heartbeat_timeout_seconds,
    workflow_run_id: t.workflow_run_id,
    step_key: t.step_key,
    created_at: t.created_at,
    previous_agent_id: null,
    traceparent: t.traceparent,
    budget: t.budget ?? null,
  };
}
