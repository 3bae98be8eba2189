import type { AgentDefinition } from '../catalog/catalog.types';
import type { AgentTask } from './agent-task';
import type { InputConsultation } from './agent-consultations';

/** The second user turn when the first reply did not parse as JSON. */
export const repairPrompt = (error: string) =>
  `Your previous reply was not valid JSON (${error}). Reply again with only the JSON object described in your instructions: no prose, no Markdown fences.`;

/**
 * The user turn of a task: title, description, the input (without the scripted provider's steering and the
 * consult list, which are for the machinery, not the model) and the answers of the agents consulted first.
 */
export function taskPrompt(task: AgentTask, consultations: InputConsultation[]): string {
  const { scripted: _scripted, consult: _consult, ...input } = task.input;
  const parts = [`Task: ${task.title}`];
  if (task.description) parts.push(task.description);
  if (Object.keys(input).length > 0) parts.push(`Input (JSON):\n${JSON.stringify(input, null, 2)}`);
  for (const c of consultations) {
    parts.push(
      `You consulted ${c.agent_id}: "${c.question}"\nAnswer (confidence ${c.answer.confidence}): ${c.answer.answer}\nRationale: ${c.answer.rationale}`,
    );
  }
  return parts.join('\n\n');
}

/** The agent's own system prompt, told that this time it answers another agent's consultation. */
export const consultationSystemPrompt = (definition: AgentDefinition, fromAgent: string) =>
  `${definition.system_prompt}\n\nRight now another agent (${fromAgent}) is consulting you instead. Reply with one JSON object only: {"answer": string, "confidence": number between 0 and 1, "rationale": string}.`;

/** The consulting agent's question, with its context (when it sent one) as JSON. */
export function consultationUserPrompt(question: string, context: unknown): string {
  const contextPart = context === undefined ? '' : `\n\nContext (JSON):\n${JSON.stringify(context)}`;
  return `${question}${contextPart}`;
}
