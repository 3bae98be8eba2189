import { TaskErrorType } from './agent-task';

/** Base of errors a running task turns into `failed` with a given error_type. */
export class AgentTaskError extends Error {
  constructor(
    readonly errorType: TaskErrorType,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class AgentAtCapacityError extends Error {
  constructor(agentId: string, max: number) {
    super(`agent ${agentId} is at capacity (${max} concurrent tasks)`);
    this.name = 'AgentAtCapacityError';
  }
}

export class TaskStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskStateError';
  }
}

/** `ask()` got no answer in time; names both agents and the limit. */
export class AgentRequestTimeoutError extends AgentTaskError {
  constructor(from: string, to: string, messageType: string, timeoutMs: number) {
    super('consultation', `${from} asked ${to} (${messageType}) and got no answer within ${timeoutMs} ms`);
  }
}

/** A task asked for more consultations than AGENT_MAX_CONSULTATIONS_PER_TASK allows. */
export class ConsultationLimitError extends AgentTaskError {
  constructor(agentId: string, taskId: string, max: number) {
    super(
      'consultation',
      `${agentId} refused a consultation for task ${taskId}: at most ${max} per task (AGENT_MAX_CONSULTATIONS_PER_TASK)`,
    );
  }
}
