/** The rows the task statements return, and how they become the API's views and dispatch candidates. */
import { DispatchCandidate, TaskBudget, TaskEventView } from '../task.types';

export const EVENT_COLUMNS = `e.id::text AS id, e.task_id, e.attempt, e.type, e.status, e.agent_id, e.detail, e.created_at`;

export interface EventRow extends Omit<TaskEventView, 'created_at'> {
  created_at: Date;
}

export function toEventView(row: EventRow): TaskEventView {
  return { ...row, created_at: new Date(row.created_at).toISOString() };
}

export interface StartedRow extends EventRow {
  task_created_at: Date;
}

export interface FinishedRow extends EventRow {
  task_created_at: Date;
  workflow_run_id: string | null;
}

export interface CandidateRow {
  task_id: string;
  attempt: number;
  task_title: string | null;
  task_description: string | null;
  input: Record<string, unknown>;
  requested_agent_id: string | null;
  role: string | null;
  capability: string | null;
  min_proficiency: number | null;
  timeout_seconds: number;
  heartbeat_timeout_seconds: number | null;
  max_attempts: number;
  workflow_run_id: string | null;
  step_key: string | null;
  created_at: Date;
  agent_id: string | null;
  traceparent: string | null;
  budget: TaskBudget | null;
}

export const CANDIDATE_COLUMNS = `task_id, attempt, task_title, task_description, input, requested_agent_id, role, capability, min_proficiency,
  timeout_seconds, heartbeat_timeout_seconds, max_attempts, workflow_run_id, step_key, created_at, agent_id, traceparent, budget`;

export function toCandidate(r: CandidateRow): DispatchCandidate & { max_attempts: number } {
  return {
    task_id: r.task_id,
    attempt: r.attempt + 1,
    title: r.task_title ?? '',
    description: r.task_description ?? '',
    input: r.input,
    requested_agent_id: r.requested_agent_id,
    role: r.role,
    capability: r.capability,
    min_proficiency: r.min_proficiency,
    timeout_seconds: r.timeout_seconds,
    heartbeat_timeout_seconds: r.heartbeat_timeout_seconds,
    workflow_run_id: r.workflow_run_id,
    step_key: r.step_key,
    created_at: new Date(r.created_at).toISOString(),
    previous_agent_id: r.agent_id,
    max_attempts: r.max_attempts,
    traceparent: r.traceparent,
    budget: r.budget,
  };
}
