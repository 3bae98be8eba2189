import type { AgentDefinition } from '../catalog/catalog.types';
import { AgentTask, TERMINAL_STATUSES } from './agent-task';
import { AgentAtCapacityError, TaskStateError } from './agent.errors';
import { SlotWaiters } from './slot-waiters';

/** A task holding one of the agent's slots, with the controller that cancels it. */
export interface SlotEntry {
  task: AgentTask;
  controller: AbortController;
}

/**
 * An agent's capacity: which tasks hold its `max_concurrent_tasks` slots, and who waits for one.
 * The limit is read from the definition on every check, as the agent always did.
 */
export class AgentSlots {
  private readonly active = new Map<string, SlotEntry>();
  private readonly waiters = new SlotWaiters();

  constructor(private readonly definition: AgentDefinition) {}

  private get max(): number {
    return this.definition.max_concurrent_tasks;
  }

  get size(): number {
    return this.active.size;
  }

  taskIds(): string[] {
    return [...this.active.keys()];
  }

  has(taskId: string): boolean {
    return this.active.has(taskId);
  }

  entry(taskId: string): SlotEntry | undefined {
    return this.active.get(taskId);
  }

  canAccept(): boolean {
    return this.active.size < this.max;
  }

  /** Reserves a slot for the task, refusing a task it already holds, a finished task, or one over capacity. */
  assign(task: AgentTask): AgentTask {
    const agentId = this.definition.agent_id;
    if (this.active.has(task.task_id))
      throw new TaskStateError(`task ${task.task_id} is already assigned to ${agentId}`);
    if (TERMINAL_STATUSES.includes(task.status))
      throw new TaskStateError(`task ${task.task_id} is already ${task.status}`);
    if (!this.canAccept()) throw new AgentAtCapacityError(agentId, this.max);
    this.active.set(task.task_id, { task, controller: new AbortController() });
    return task;
  }

  /** Frees the slot of an assigned task that will not run (not of a running one). */
  release(taskId: string): boolean {
    const entry = this.active.get(taskId);
    if (!entry || entry.task.status === 'in_progress') return false;
    this.free(taskId);
    return true;
  }

  /** Resolves once a slot is free and `taskId` (when given) holds none; see `Agent.whenFree`. */
  whenFree(taskId?: string, signal?: AbortSignal): Promise<void> {
    return this.isFree(taskId) ? Promise.resolve() : this.waiters.wait(taskId, signal);
  }

  /** Gives the task's slot back and wakes as many waiters as there are free slots. */
  free(taskId: string): void {
    this.active.delete(taskId);
    this.waiters.wake(this.max - this.active.size, (id) => this.isFree(id));
  }

  /** Aborts the task's controller; false when it holds no slot. */
  cancel(taskId: string, reason: string): boolean {
    const entry = this.active.get(taskId);
    if (!entry) return false;
    entry.controller.abort(new Error(reason));
    return true;
  }

  private isFree(taskId?: string): boolean {
    return this.canAccept() && (taskId === undefined || !this.active.has(taskId));
  }
}
