import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelProvider, ModelProviderError, ModelRequest, ModelResponse, TokenUsage } from './model-provider';
import { brokenOutput, consultationAnswer, readSteering, scriptedOutput } from './scripted-outputs';

export const SCRIPTED_MODEL = 'scripted';

/** Rough token estimate (4 characters a token) so usage figures move like a real model's. */
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

const COUNTED_TASKS_MAX = 100_000;
const callCounts = { total: 0, byTask: new Map<string, number>() };

/**
 * Model calls the scripted provider made in this process (all of them, or for one task id): tests and
 * the fault campaign measure "executions per completed task" with it. A call aborted before it began
 * is not counted.
 */
export function scriptedCallCount(taskId?: string): number {
  return taskId === undefined ? callCounts.total : (callCounts.byTask.get(taskId) ?? 0);
}

function countCall(taskId: string | undefined): void {
  callCounts.total += 1;
  if (taskId === undefined) return;
  // Bounded: the oldest entries go first (a Map keeps insertion order).
  if (callCounts.byTask.size >= COUNTED_TASKS_MAX && !callCounts.byTask.has(taskId))
    callCounts.byTask.delete(callCounts.byTask.keys().next().value as string);
  callCounts.byTask.set(taskId, (callCounts.byTask.get(taskId) ?? 0) + 1);
}

/**
 * Deterministic outputs that satisfy each output kind's validator, for tests and offline runs.
 * Every response says `model: "scripted"`. Steered per task by `input.scripted` (see ScriptedSteering).
 */
export class ScriptedProvider implements ModelProvider {
  readonly name = 'scripted';

  constructor(
    private readonly options: {
      latencyMs?: number;
      /** A simulated provider limit (SCRIPTED_RPM): resolves 0 to admit the call, else the ms to retry after (a 429). */
      admit?: () => Promise<number>;
      /**
       * SCRIPTED_CALL_LOG: appends `<ms> <pid> <task_id> <attempt>` per call, synchronously, so a SIGKILL right after
       * the call began can not lose it (the fault campaign counts executions from it; a Prometheus counter loses what
       * happened after the last scrape).
       */
      callLog?: string;
    } = {},
  ) {}

  async complete(request: ModelRequest, options: { signal?: AbortSignal } = {}): Promise<ModelResponse> {
    if (!options.signal?.aborted) {
      countCall(request.task?.task_id);
      if (this.options.callLog !== undefined)
        appendFileSync(
          this.options.callLog,
          `${Date.now()} ${process.pid} ${request.task?.task_id ?? '-'} ${request.task?.attempt ?? 0}\n`,
        );
    }
    const steering = readSteering(request.scripted);
    const latency = steering.latency_ms ?? this.options.latencyMs ?? 0;
    try {
      if (latency > 0) await sleep(latency, undefined, { signal: options.signal });
      else options.signal?.throwIfAborted();
    } catch {
      throw new ModelProviderError('aborted', 'scripted model call was aborted');
    }
    if (steering.fail !== undefined) throw new ModelProviderError('failed', `scripted failure: ${steering.fail}`);
    const retryAfter = this.options.admit ? await this.options.admit() : 0;
    if (retryAfter > 0)
      throw new ModelProviderError('rate_limited', 'scripted provider: rate limit reached (HTTP 429)', 429, retryAfter);

    let text: string;
    if (request.purpose === 'consult') {
      const question = request.messages.map((m) => m.content).join('\n');
      text = JSON.stringify(consultationAnswer(request.agent, question, steering));
    } else if (steering.invalid_json || (steering.invalid_json_once && request.purpose === 'task')) {
      text = '{"this is": not valid JSON';
    } else {
      const output = scriptedOutput(request.agent, request.task, steering) as unknown as Record<string, unknown>;
      text = JSON.stringify(steering.invalid_output ? brokenOutput(request.agent.output_kind, output) : output);
    }
    const usage: TokenUsage = {
      input_tokens: tokens(request.system) + request.messages.reduce((n, m) => n + tokens(m.content), 0),
      output_tokens: tokens(text),
    };
    return { text, model: SCRIPTED_MODEL, usage, finish_reason: 'stop' };
  }
}
