import { AgentTaskError, ConsultationLimitError } from './agent.errors';

/** AGENT_MAX_CONSULTATIONS_PER_TASK's default (libs/config has the same). */
export const DEFAULT_MAX_CONSULTATIONS_PER_TASK = 10;

type Ask<A extends unknown[], R> = (...args: A) => Promise<R>;

/**
 * A task's `ask()`, counted: past `max` calls it rejects with ConsultationLimitError (the task fails `consultation`),
 * so neither a task's input nor an agent's own code (or a model steering it) can fan out or loop without end.
 */
export function countedAsk<A extends unknown[], R>(
  ask: Ask<A, R>,
  max: number,
  agentId: string,
  taskId: string,
): Ask<A, R> {
  let asked = 0;
  return (...args: A) => {
    if (asked >= max) return Promise.reject(new ConsultationLimitError(agentId, taskId, max));
    asked += 1;
    return ask(...args);
  };
}

/** An `input.consult` list over the limit is refused before anyone is asked: no partial work, the input named. */
export function assertConsultListWithin(count: number, max: number): void {
  if (count > max)
    throw new AgentTaskError(
      'consultation',
      `input.consult: ${count} consultations asked; at most ${max} per task (AGENT_MAX_CONSULTATIONS_PER_TASK)`,
    );
}
