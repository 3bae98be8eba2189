import type { AgentDefinition } from '../catalog/catalog.types';
import type { AgentTask } from '../lifecycle/agent-task';
import type { OutputByKind, OutputKind } from '../outputs/output-kinds';
import { codeChange } from './scripted/code-change';
import { deploymentPlan } from './scripted/deployment-plan';
import { designDoc } from './scripted/design-doc';
import { mcqItem } from './scripted/mcq-item';
import { plan } from './scripted/plan';
import { review } from './scripted/review';
import { ScriptedContext, scriptedContext } from './scripted/scripted-context';
import type { ScriptedSteering } from './scripted/steering';
import { testPlan } from './scripted/test-plan';

// The scripted provider's outputs, one module per output kind under ./scripted; this file is their one entry.
export { brokenOutput } from './scripted/broken-output';
export { consultationAnswer } from './scripted/consultation-answer';
export { readSteering } from './scripted/steering';
export type { ScriptedSteering } from './scripted/steering';

const BUILDERS: { [K in OutputKind]: (ctx: ScriptedContext) => OutputByKind[K] } = {
  plan,
  design_doc: designDoc,
  code_change: codeChange,
  review,
  test_plan: testPlan,
  deployment_plan: deploymentPlan,
  mcq_item: mcqItem,
};

/** A valid output of the agent's kind for this task, derived only from agent and task content. */
export function scriptedOutput(
  agent: AgentDefinition,
  task: AgentTask | undefined,
  steering: ScriptedSteering = {},
): OutputByKind[OutputKind] {
  return BUILDERS[agent.output_kind](scriptedContext(agent, task, steering));
}
