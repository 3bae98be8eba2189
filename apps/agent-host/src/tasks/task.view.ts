import { AgentTaskResult, TaskStatus } from '@app/agents';
import { FinishedTask } from './task-runner.service';

/** A finished task as the HTTP API answers it (snake_case, the seed's AgentTask fields plus outcome details). */
export interface HostTaskView {
  task_id: string;
  agent_id: string;
  title: string;
  description: string;
  input: Record<string, unknown>;
  status: TaskStatus;
  result: AgentTaskResult | null;
  error: string | null;
  error_type: string | null;
  validation_errors: { path: string; message: string }[];
  usage: { input_tokens: number; output_tokens: number };
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export function toHostTaskView(agentId: string, finished: FinishedTask): HostTaskView {
  const { task } = finished;
  return {
    task_id: task.task_id,
    agent_id: agentId,
    title: task.title,
    description: task.description,
    input: task.input,
    status: finished.outcome,
    result: task.result,
    error: finished.error,
    error_type: finished.error_type,
    validation_errors: task.validation_errors.map((e) => ({ path: e.path, message: e.message })),
    usage: { ...task.usage },
    created_at: task.created_at,
    started_at: task.started_at,
    completed_at: task.completed_at,
  };
}
