import type { ConsultationAnswer } from '../outputs/output-kinds';
import { describeIssues, validateConsultation } from '../outputs/output-validators';
import type { AgentMailbox } from './agent-mailbox';
import { CONSULT_MESSAGE, MessagePayload } from './agent-messenger';
import type { AgentTask } from './agent-task';
import type { ExecutionContext } from './agent.types';
import { AgentRequestTimeoutError, AgentTaskError } from './agent.errors';
import { assertConsultListWithin } from './consultation-limit';

/** One `input.consult` entry with the answer it got, for the task's prompt. */
export interface InputConsultation {
  agent_id: string;
  question: string;
  answer: ConsultationAnswer;
}

export interface AskOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  context?: MessagePayload;
  scripted?: unknown;
}

/**
 * `from` asks `to` a question over the messenger and checks the reply is a consultation answer. Fails with
 * AgentRequestTimeoutError after `timeoutMs` (else `defaultTimeoutMs`), with the signal's reason when `signal`
 * aborts, and with a `consultation` AgentTaskError for any other failure or an invalid reply.
 */
export async function askAgent(
  mailbox: AgentMailbox,
  from: string,
  to: string,
  question: string,
  options: AskOptions,
  defaultTimeoutMs: number,
): Promise<ConsultationAnswer> {
  const messenger = mailbox.requireMessenger(`consult ${to}`);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new AgentRequestTimeoutError(from, to, CONSULT_MESSAGE, timeoutMs)),
    timeoutMs,
  );
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const payload: MessagePayload = {
    question,
    ...(options.context ? { context: options.context } : {}),
    ...(options.scripted !== undefined ? { scripted: options.scripted } : {}),
  };
  try {
    // The messenger is asked to honour the signal; racing it makes sure the agent does even if one does not.
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    const reply = await Promise.race([
      messenger.request(from, to, CONSULT_MESSAGE, payload, { timeoutMs, signal }),
      aborted,
    ]);
    const issues = validateConsultation(reply);
    if (issues.length > 0)
      throw new AgentTaskError(
        'consultation',
        `${to} answered ${from}'s consultation with an invalid reply: ${describeIssues(issues)}`,
      );
    return reply as unknown as ConsultationAnswer;
  } catch (error) {
    if (error instanceof AgentTaskError || signal.aborted) throw error;
    throw new AgentTaskError(
      'consultation',
      `${from} could not consult ${to}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `input.consult`: `{agent_id, question}` or a list of them, asked one after another through the task's (counted)
 * `ask` before the model call. A list over `max` is refused before anyone is asked.
 */
export async function runInputConsultations(
  task: AgentTask,
  ctx: ExecutionContext,
  max: number,
): Promise<InputConsultation[]> {
  const raw = task.input.consult;
  if (raw === undefined) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  assertConsultListWithin(items.length, max);
  const out = [];
  for (const [i, item] of items.entries()) {
    const rec = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof rec.agent_id !== 'string' || typeof rec.question !== 'string' || rec.question.trim() === '') {
      throw new AgentTaskError('consultation', `input.consult[${i}] needs a string agent_id and a non-empty question`);
    }
    const answer = await ctx.ask(rec.agent_id, rec.question, {
      context: { task_id: task.task_id, title: task.title },
    });
    out.push({ agent_id: rec.agent_id, question: rec.question, answer });
  }
  return out;
}
