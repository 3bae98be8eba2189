import type { AgentDefinition } from '../catalog/catalog.types';
import type { ConsultationAnswer } from '../outputs/output-kinds';
import { CONSULTATION_SCHEMA, OUTPUT_SCHEMAS } from '../outputs/output-schemas';
import { describeIssues, validateConsultation } from '../outputs/output-validators';
import {
  addUsage,
  ModelErrorKind,
  ModelMessage,
  ModelProvider,
  ModelProviderError,
  ModelRequest,
  ModelResponse,
  TokenUsage,
  ZERO_USAGE,
} from '../providers/model-provider';
import type { AgentMessage } from './agent-messenger';
import type { InputConsultation } from './agent-consultations';
import { consultationSystemPrompt, consultationUserPrompt, repairPrompt, taskPrompt } from './agent-prompts';
import type { AgentStateKeeper } from './agent-state-keeper';
import type { AgentTask } from './agent-task';
import type { AgentLogger, AgentOptions, ExecutionOutcome } from './agent.types';
import { AgentTaskError } from './agent.errors';

/** Strips a Markdown fence models like to add, then parses. */
export function parseModelJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(trimmed);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1] : trimmed) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * An agent's talk with its model: the prompts, the call (usage counted on the agent and the task, every call
 * reported to `onModelCall`) and the reply parsed as JSON, with one repair attempt for a task. Checking the output
 * against its kind is the agent's (`validateOutput`, which subclasses override).
 */
export class AgentConversation {
  constructor(
    private readonly definition: AgentDefinition,
    private readonly provider: ModelProvider,
    private readonly state: AgentStateKeeper,
    private readonly options: AgentOptions,
    private readonly logger: AgentLogger,
  ) {}

  /** The task's model call with the output kind's schema; a reply that is not JSON is asked for once more. */
  async completeTask(
    task: AgentTask,
    consultations: InputConsultation[],
    signal: AbortSignal,
  ): Promise<ExecutionOutcome> {
    const messages: ModelMessage[] = [{ role: 'user', content: taskPrompt(task, consultations) }];
    const base = {
      system: this.definition.system_prompt,
      schema_name: this.definition.output_kind,
      schema: OUTPUT_SCHEMAS[this.definition.output_kind],
      agent: this.definition,
      task,
      scripted: task.input.scripted,
    };

    const first = await this.callModel(task, { ...base, messages, purpose: 'task' }, signal);
    const parsed = parseModelJson(first.text);
    if (parsed.ok) return { output: parsed.value, model: first.model, model_calls: 1 };

    this.logger.warn(`task ${task.task_id}: model reply was not valid JSON (${parsed.error}); asking once more`);
    const repairMessages: ModelMessage[] = [
      ...messages,
      { role: 'assistant', content: first.text },
      { role: 'user', content: repairPrompt(parsed.error) },
    ];
    const second = await this.callModel(task, { ...base, messages: repairMessages, purpose: 'repair' }, signal);
    const repaired = parseModelJson(second.text);
    if (!repaired.ok)
      throw new AgentTaskError(
        'invalid_json',
        `model reply was not valid JSON, even after one repair attempt: ${repaired.error}`,
      );
    return { output: repaired.value, model: second.model, model_calls: 2 };
  }

  /** Answers another agent's `consult` through the model; throws when there is no question or no valid answer. */
  async answerConsultation(message: AgentMessage): Promise<ConsultationAnswer> {
    const question = message.payload.question;
    if (typeof question !== 'string' || question.trim() === '')
      throw new Error(`consult from ${message.from_agent} has no question`);
    const response = await this.callModel(
      undefined,
      {
        system: consultationSystemPrompt(this.definition, message.from_agent),
        messages: [{ role: 'user', content: consultationUserPrompt(question, message.payload.context) }],
        schema_name: 'consultation',
        schema: CONSULTATION_SCHEMA,
        purpose: 'consult',
        agent: this.definition,
        scripted: message.payload.scripted,
      },
      new AbortController().signal,
    );
    const parsed = parseModelJson(response.text);
    const issues = parsed.ok
      ? validateConsultation(parsed.value)
      : [{ path: '', message: `not valid JSON: ${parsed.error}` }];
    if (!parsed.ok || issues.length > 0)
      throw new Error(
        `${this.definition.agent_id} could not produce a valid consultation answer: ${describeIssues(issues)}`,
      );
    return parsed.value as ConsultationAnswer;
  }

  private async callModel(task: AgentTask | undefined, request: ModelRequest, signal: AbortSignal) {
    const started = performance.now();
    const report = (model: string, usage: TokenUsage, error_kind: ModelErrorKind | null) =>
      this.options.onModelCall?.({
        agent_id: this.definition.agent_id,
        task_id: task?.task_id ?? null,
        purpose: request.purpose,
        provider: this.provider.name,
        model,
        usage,
        duration_ms: performance.now() - started,
        error_kind,
      });
    let response: ModelResponse;
    try {
      response = await this.provider.complete(request, { signal });
    } catch (error) {
      report(this.provider.name, { ...ZERO_USAGE }, error instanceof ModelProviderError ? error.kind : 'failed');
      throw error;
    }
    this.state.addUsage(response.usage);
    if (task) task.usage = addUsage(task.usage, response.usage);
    report(response.model, response.usage, null);
    return response;
  }
}
