import type { AgentDefinition } from '../../catalog/catalog.types';
import type { ConsultationAnswer } from '../../outputs/output-kinds';
import type { ScriptedSteering } from './steering';

/** The reply to a consultation: steered by `answer`/`confidence`, else a supportive one naming the agent. */
export function consultationAnswer(
  agent: AgentDefinition,
  question: string,
  steering: ScriptedSteering,
): ConsultationAnswer {
  return {
    answer:
      steering.answer ?? `${agent.name} (${agent.agent_id}) reviewed the question and supports the answer as written.`,
    confidence: steering.confidence ?? 0.8,
    rationale: `Scripted consultation on: ${question.slice(0, 200)}`,
  };
}
