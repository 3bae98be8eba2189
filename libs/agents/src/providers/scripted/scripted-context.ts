import { createHash } from 'node:crypto';
import type { AgentDefinition } from '../../catalog/catalog.types';
import type { AgentTask } from '../../lifecycle/agent-task';
import type { ScriptedSteering } from './steering';

/** Stable pseudo-random source for one agent + task, so the same task always gets the same output. */
export class Dice {
  private counter = 0;
  constructor(private readonly seed: string) {}
  next(n: number): number {
    const digest = createHash('sha256').update(`${this.seed}#${this.counter++}`).digest();
    return digest.readUInt32BE(0) % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.next(items.length)];
  }
}

/** What every scripted output is built from: the agent, the task (none for a consultation), steering and dice. */
export interface ScriptedContext {
  agent: AgentDefinition;
  task?: AgentTask;
  steering: ScriptedSteering;
  dice: Dice;
  title: string;
  brief: string;
}

export function scriptedContext(
  agent: AgentDefinition,
  task: AgentTask | undefined,
  steering: ScriptedSteering,
): ScriptedContext {
  const title = task?.title ?? agent.name;
  return {
    agent,
    task,
    steering,
    title,
    brief: task?.description ?? '',
    dice: new Dice(`${agent.agent_id}|${title}|${task?.description ?? ''}`),
  };
}

/** A title as a path segment (`src/<slug>/...`, `<slug>-api`). */
export const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'change';

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}
