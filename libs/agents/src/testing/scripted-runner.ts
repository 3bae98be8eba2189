import { getAgent } from '../catalog/catalog';
import { Agent, AgentOptions } from '../lifecycle/agent';
import { AgentTask, createTask, NewTask } from '../lifecycle/agent-task';
import { ScriptedProvider } from '../providers/scripted.provider';
import type { ScriptedSteering } from '../providers/scripted-outputs';

/** A runtime agent for a catalog id on the scripted provider (no network, deterministic). */
export function createScriptedAgent(agentId: string, options: AgentOptions & { latencyMs?: number } = {}): Agent {
  const { latencyMs, ...agentOptions } = options;
  return new Agent(getAgent(agentId), new ScriptedProvider({ latencyMs }), agentOptions);
}

/**
 * Runs one task on a catalog agent against the scripted provider and returns the finished task,
 * so teams can unit-test workflows: `await runWithScriptedProvider('MED-001', { title: 'Atrial fibrillation' })`.
 */
export async function runWithScriptedProvider(
  agentId: string,
  task: NewTask & { scripted?: ScriptedSteering },
  options: AgentOptions & { latencyMs?: number; signal?: AbortSignal } = {},
): Promise<AgentTask> {
  const { signal, ...agentOptions } = options;
  const { scripted, ...spec } = task;
  const input = scripted === undefined ? spec.input : { ...spec.input, scripted };
  return createScriptedAgent(agentId, agentOptions).runTask(createTask({ ...spec, input }), { signal });
}
