import { addUsage, TokenUsage } from '../providers/model-provider';
import { AgentState, emptyState, MAX_RECENT_TASKS, parseState } from './agent-state';
import type { AgentTask } from './agent-task';

/**
 * The agent's state that outlives a task and a restart (AgentState): task counts, token usage, recent task ids and
 * notes. The host exports it to `agent_state` and restores it on start.
 */
export class AgentStateKeeper {
  private state: AgentState = emptyState();

  /** Read-only view for the status report. */
  get current(): Readonly<AgentState> {
    return this.state;
  }

  addUsage(usage: TokenUsage): void {
    this.state.usage = addUsage(this.state.usage, usage);
  }

  /** Puts the task in a terminal status and counts it (most recent first in `recent_task_ids`). */
  finishTask(task: AgentTask, status: 'completed' | 'failed' | 'canceled'): void {
    task.status = status;
    task.completed_at = new Date().toISOString();
    if (status === 'completed') this.state.tasks_completed++;
    else if (status === 'failed') this.state.tasks_failed++;
    else this.state.tasks_canceled++;
    this.state.last_task_at = task.completed_at;
    this.state.recent_task_ids = [
      task.task_id,
      ...this.state.recent_task_ids.filter((id) => id !== task.task_id),
    ].slice(0, MAX_RECENT_TASKS);
  }

  /** A JSON copy of the state. */
  export(): AgentState {
    return structuredClone(this.state);
  }

  /** Replaces the state with a stored one, read leniently; returns warnings for fields that had to be dropped. */
  restore(stored: unknown): string[] {
    const { state, warnings } = parseState(stored);
    this.state = state;
    return warnings;
  }

  setNote(key: string, value: unknown): void {
    this.state.notes[key] = structuredClone(value);
  }

  getNote(key: string): unknown {
    return this.state.notes[key];
  }
}
