// Over 400 lines: kept whole while wave 2's branches merged into it; splitting it by responsibility is issue 10's
// named work (docs/architecture.md, "Known debt"), to be done before more features land here.
import { Logger } from '@nestjs/common';
import type { AgentDefinition } from '../catalog/catalog.types';
import { CONSULTATION_SCHEMA, OUTPUT_SCHEMAS } from '../outputs/output-schemas';
import {
  describeIssues,
  OutputValidationResult,
  validateConsultation,
  validateOutput,
} from '../outputs/output-validators';
import type { ConsultationAnswer } from '../outputs/output-kinds';
import {
  addUsage,
  ModelCallPurpose,
  ModelErrorKind,
  ModelMessage,
  ModelProvider,
  ModelProviderError,
  ModelRequest,
  ModelResponse,
  TokenUsage,
  ZERO_USAGE,
} from '../providers/model-provider';
import { AgentMessage, AgentMessenger, CONSULT_MESSAGE, MessageHandler, MessagePayload } from './agent-messenger';
import { AgentState, emptyState, MAX_RECENT_TASKS, parseState } from './agent-state';
import { AgentTask, AgentTaskResult, TaskErrorType, TERMINAL_STATUSES } from './agent-task';
import { AgentAtCapacityError, AgentRequestTimeoutError, AgentTaskError, TaskStateError } from './agent.errors';
import { assertConsultListWithin, countedAsk, DEFAULT_MAX_CONSULTATIONS_PER_TASK } from './consultation-limit';
import { SlotWaiters } from './slot-waiters';

/** What `execute` hands back before validation. */
export interface ExecutionOutcome {
  output: unknown;
  model: string;
  model_calls: number;
}

/** Passed to `execute`: the cancellation signal and a way to consult other agents. */
export interface ExecutionContext {
  signal: AbortSignal;
  ask(
    to: string,
    question: string,
    options?: { timeoutMs?: number; context?: MessagePayload },
  ): Promise<ConsultationAnswer>;
}

export interface AgentOptions {
  messenger?: AgentMessenger;
  /** Default limit for `ask()` (AGENT_ASK_TIMEOUT_SECONDS in the host); 30 s. */
  askTimeoutMs?: number;
  /**
   * Consultations (`ask()` through the task's context, `input.consult` included) one task may make
   * (AGENT_MAX_CONSULTATIONS_PER_TASK in the host); 10. Beyond it the task fails `consultation`, saying so.
   */
  maxConsultationsPerTask?: number;
  logger?: Pick<Logger, 'log' | 'warn' | 'debug' | 'error'>;
  /** Called after every model call (success or failure), e.g. for token and latency metrics in the host. */
  onModelCall?: (event: ModelCallEvent) => void;
}

export interface ModelCallEvent {
  agent_id: string;
  task_id: string | null;
  purpose: ModelCallPurpose;
  provider: string;
  /** The model that answered; the provider name when the call failed. */
  model: string;
  usage: TokenUsage;
  duration_ms: number;
  /** ModelProviderError kind (or `failed`) when the call threw. */
  error_kind: ModelErrorKind | null;
}

export type AgentRunState = 'idle' | 'working' | 'at_capacity';

export interface AgentStatusReport {
  agent_id: string;
  name: string;
  role: string;
  output_kind: string;
  provider: string;
  status: AgentRunState;
  active_tasks: number;
  max_concurrent_tasks: number;
  /** active_tasks / max_concurrent_tasks, 0..1. */
  load: number;
  active_task_ids: string[];
  tasks_completed: number;
  tasks_failed: number;
  tasks_canceled: number;
  usage: TokenUsage;
  messages_received: number;
  last_task_at: string | null;
  started_at: string;
}

interface ActiveEntry {
  task: AgentTask;
  controller: AbortController;
}

const REPAIR_PROMPT = (error: string) =>
  `Your previous reply was not valid JSON (${error}). Reply again with only the JSON object described in your instructions: no prose, no Markdown fences.`;

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

function errorTypeOf(error: unknown): TaskErrorType {
  if (error instanceof AgentTaskError) return error.errorType;
  if (error instanceof ModelProviderError) {
    switch (error.kind) {
      case 'timeout':
        return 'model_timeout';
      case 'rate_limited':
        return 'model_rate_limited';
      case 'unavailable':
        return 'model_unavailable';
      case 'aborted':
        return 'canceled';
      case 'bad_request':
      case 'auth':
      case 'failed':
        return 'model_error';
    }
  }
  return 'execution';
}

/**
 * A runtime agent (the seed's BaseAgent): one catalog entry executing through a model provider,
 * with capacity, validation, cancellation, state the host persists, and messaging through a port.
 * Subclasses (e.g. the test kit's MockAgent) override `execute` and/or `validateOutput`.
 */
export class Agent {
  readonly startedAt = new Date().toISOString();
  protected readonly logger: Pick<Logger, 'log' | 'warn' | 'debug' | 'error'>;
  private readonly active = new Map<string, ActiveEntry>();
  private readonly handlers = new Map<string, MessageHandler>();
  private readonly slotWaiters = new SlotWaiters();
  private state: AgentState = emptyState();
  private messagesReceived = 0;

  constructor(
    readonly definition: AgentDefinition,
    protected readonly provider: ModelProvider,
    protected readonly options: AgentOptions = {},
  ) {
    this.logger = options.logger ?? new Logger(`Agent ${definition.agent_id}`);
  }

  get agentId(): string {
    return this.definition.agent_id;
  }

  get maxConcurrentTasks(): number {
    return this.definition.max_concurrent_tasks;
  }

  get activeTaskCount(): number {
    return this.active.size;
  }

  canAcceptTask(): boolean {
    return this.active.size < this.maxConcurrentTasks;
  }

  /** Reserves a capacity slot for the task; `runTask` uses the slot (or reserves one itself). */
  assignTask(task: AgentTask): AgentTask {
    if (this.active.has(task.task_id))
      throw new TaskStateError(`task ${task.task_id} is already assigned to ${this.agentId}`);
    if (TERMINAL_STATUSES.includes(task.status))
      throw new TaskStateError(`task ${task.task_id} is already ${task.status}`);
    if (!this.canAcceptTask()) throw new AgentAtCapacityError(this.agentId, this.maxConcurrentTasks);
    this.active.set(task.task_id, { task, controller: new AbortController() });
    return task;
  }

  /** Frees the slot of an assigned task that will not run. */
  releaseTask(taskId: string): boolean {
    const entry = this.active.get(taskId);
    if (!entry || entry.task.status === 'in_progress') return false;
    this.freeSlot(taskId);
    return true;
  }

  /**
   * Resolves once a slot is free and `taskId` (when given) holds none — at once if that is already so. A free
   * slot is not reserved: the caller assigns and may find it taken again, then waits again.
   */
  whenFree(taskId?: string, signal?: AbortSignal): Promise<void> {
    return this.isFree(taskId) ? Promise.resolve() : this.slotWaiters.wait(taskId, signal);
  }

  private isFree(taskId?: string): boolean {
    return this.canAcceptTask() && (taskId === undefined || !this.active.has(taskId));
  }

  private freeSlot(taskId: string): void {
    this.active.delete(taskId);
    this.slotWaiters.wake(this.maxConcurrentTasks - this.active.size, (id) => this.isFree(id));
  }

  /** Cooperatively cancels a running or assigned task: the provider call is aborted and it ends `canceled`. */
  cancelTask(taskId: string, reason = 'canceled'): boolean {
    const entry = this.active.get(taskId);
    if (!entry) return false;
    entry.controller.abort(new Error(reason));
    return true;
  }

  /**
   * Runs the task to a terminal status and returns it (the same object, updated): execute →
   * parse (one JSON repair attempt) → validate → completed, or failed listing every validation
   * error, or canceled. Never throws for task-level failures; throws AgentAtCapacityError when
   * there is no free slot and TaskStateError for a task that already finished.
   */
  async runTask(task: AgentTask, options: { signal?: AbortSignal } = {}): Promise<AgentTask> {
    if (task.status === 'in_progress') throw new TaskStateError(`task ${task.task_id} is already running`);
    if (!this.active.has(task.task_id)) this.assignTask(task);
    const entry = this.active.get(task.task_id) as ActiveEntry;
    const { controller } = entry;
    const onExternalAbort = () => controller.abort(options.signal?.reason ?? new Error('canceled'));
    if (options.signal?.aborted) onExternalAbort();
    else options.signal?.addEventListener('abort', onExternalAbort, { once: true });

    task.status = 'in_progress';
    task.started_at = new Date().toISOString();
    task.error = null;
    task.error_type = null;
    task.validation_errors = [];
    try {
      controller.signal.throwIfAborted();
      const outcome = await this.execute(task, this.executionContext(task, controller.signal));
      controller.signal.throwIfAborted();
      const validation = this.validateOutput(task, outcome.output);
      if (validation.valid) {
        const result: AgentTaskResult = {
          output_kind: this.definition.output_kind,
          output: outcome.output,
          model: outcome.model,
          usage: { ...task.usage },
          model_calls: outcome.model_calls,
        };
        this.finish(task, 'completed');
        task.result = result;
      } else {
        task.validation_errors = validation.errors;
        this.fail(
          task,
          'validation',
          `output failed ${this.definition.output_kind} validation (${validation.errors.length} error(s)): ${describeIssues(validation.errors)}`,
        );
      }
    } catch (error) {
      if (controller.signal.aborted) {
        const reason =
          controller.signal.reason instanceof Error
            ? controller.signal.reason.message
            : String(controller.signal.reason);
        this.finish(task, 'canceled');
        task.result = null;
        task.error = `canceled: ${reason}`;
        task.error_type = 'canceled';
      } else {
        this.fail(task, errorTypeOf(error), error instanceof Error ? error.message : String(error));
      }
    } finally {
      options.signal?.removeEventListener('abort', onExternalAbort);
      this.freeSlot(task.task_id);
    }
    return task;
  }

  /**
   * Produces the raw output. Default: consult the agents named in `input.consult`, call the model
   * with the system prompt and the output kind's schema, and parse its JSON (one repair attempt).
   */
  protected async execute(task: AgentTask, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    const consultations = await this.runConsultations(task, ctx);
    const messages: ModelMessage[] = [{ role: 'user', content: this.taskPrompt(task, consultations) }];
    const base = {
      system: this.definition.system_prompt,
      schema_name: this.definition.output_kind,
      schema: OUTPUT_SCHEMAS[this.definition.output_kind],
      agent: this.definition,
      task,
      scripted: task.input.scripted,
    };

    const first = await this.callModel(task, { ...base, messages, purpose: 'task' }, ctx.signal);
    const parsed = parseModelJson(first.text);
    if (parsed.ok) return { output: parsed.value, model: first.model, model_calls: 1 };

    this.logger.warn(`task ${task.task_id}: model reply was not valid JSON (${parsed.error}); asking once more`);
    const repairMessages: ModelMessage[] = [
      ...messages,
      { role: 'assistant', content: first.text },
      { role: 'user', content: REPAIR_PROMPT(parsed.error) },
    ];
    const second = await this.callModel(task, { ...base, messages: repairMessages, purpose: 'repair' }, ctx.signal);
    const repaired = parseModelJson(second.text);
    if (!repaired.ok)
      throw new AgentTaskError(
        'invalid_json',
        `model reply was not valid JSON, even after one repair attempt: ${repaired.error}`,
      );
    return { output: repaired.value, model: second.model, model_calls: 2 };
  }

  /** Checks the output with the output kind's validator; override to add agent-specific rules. */
  protected validateOutput(_task: AgentTask, output: unknown): OutputValidationResult {
    return validateOutput(this.definition.output_kind, output);
  }

  getStatusReport(): AgentStatusReport {
    const active = this.active.size;
    return {
      agent_id: this.agentId,
      name: this.definition.name,
      role: this.definition.role,
      output_kind: this.definition.output_kind,
      provider: this.provider.name,
      status: active === 0 ? 'idle' : active >= this.maxConcurrentTasks ? 'at_capacity' : 'working',
      active_tasks: active,
      max_concurrent_tasks: this.maxConcurrentTasks,
      load: active / this.maxConcurrentTasks,
      active_task_ids: [...this.active.keys()],
      tasks_completed: this.state.tasks_completed,
      tasks_failed: this.state.tasks_failed,
      tasks_canceled: this.state.tasks_canceled,
      usage: { ...this.state.usage },
      messages_received: this.messagesReceived,
      last_task_at: this.state.last_task_at,
      started_at: this.startedAt,
    };
  }

  /** A JSON copy of what should survive a restart (the host writes it to `agent_state`). */
  exportState(): AgentState {
    return structuredClone(this.state);
  }

  /** Restores a stored state; returns warnings for fields that had to be dropped. */
  restoreState(stored: unknown): string[] {
    const { state, warnings } = parseState(stored);
    this.state = state;
    for (const warning of warnings) this.logger.warn(`restoring state: ${warning}`);
    return warnings;
  }

  setNote(key: string, value: unknown): void {
    this.state.notes[key] = structuredClone(value);
  }

  getNote(key: string): unknown {
    return this.state.notes[key];
  }

  // --- messaging (the seed's integration) ---

  async sendMessage(to: string, messageType: string, payload: MessagePayload = {}): Promise<void> {
    await this.requireMessenger(`send "${messageType}" to ${to}`).send(this.agentId, to, messageType, payload);
    this.logger.debug(`sent ${messageType} to ${to}`);
  }

  async broadcast(messageType: string, payload: MessagePayload = {}): Promise<void> {
    await this.requireMessenger(`broadcast "${messageType}"`).broadcast(this.agentId, messageType, payload);
  }

  /** Registers a handler for one message type (replacing any previous one). */
  onMessage(messageType: string, handler: MessageHandler): void {
    this.handlers.set(messageType, handler);
  }

  /**
   * Entry point for messages addressed to this agent. Registered handlers win; `consult` is
   * answered through the model by default; for a request, the return value is the reply.
   */
  async handleIncomingMessage(message: AgentMessage): Promise<MessagePayload | undefined> {
    this.messagesReceived++;
    this.logger.debug(`received ${message.message_type} from ${message.from_agent}`);
    const handler = this.handlers.get(message.message_type);
    if (handler) return (await handler(message)) ?? undefined;
    if (message.message_type === CONSULT_MESSAGE) return { ...(await this.answerConsultation(message)) };
    if (message.expects_reply) throw new Error(`${this.agentId} has no handler for "${message.message_type}" requests`);
    return undefined;
  }

  /**
   * Asks another agent a question and waits for its answer, failing with AgentRequestTimeoutError
   * after `timeoutMs` (or when `signal` aborts, e.g. the task was canceled).
   */
  async ask(
    to: string,
    question: string,
    options: { timeoutMs?: number; signal?: AbortSignal; context?: MessagePayload; scripted?: unknown } = {},
  ): Promise<ConsultationAnswer> {
    const messenger = this.requireMessenger(`consult ${to}`);
    const timeoutMs = options.timeoutMs ?? this.options.askTimeoutMs ?? 30_000;
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new AgentRequestTimeoutError(this.agentId, to, CONSULT_MESSAGE, timeoutMs)),
      timeoutMs,
    );
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    const payload: MessagePayload = {
      question,
      ...(options.context ? { context: options.context } : {}),
      ...(options.scripted !== undefined ? { scripted: options.scripted } : {}),
    };
    try {
      const aborted = new Promise<never>((_, reject) => {
        const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      const reply = await Promise.race([
        messenger.request(this.agentId, to, CONSULT_MESSAGE, payload, { timeoutMs, signal }),
        aborted,
      ]);
      const issues = validateConsultation(reply);
      if (issues.length > 0)
        throw new AgentTaskError(
          'consultation',
          `${to} answered ${this.agentId}'s consultation with an invalid reply: ${describeIssues(issues)}`,
        );
      return reply as unknown as ConsultationAnswer;
    } catch (error) {
      if (error instanceof AgentTaskError || signal.aborted) throw error;
      throw new AgentTaskError(
        'consultation',
        `${this.agentId} could not consult ${to}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  // --- internals ---

  get maxConsultationsPerTask(): number {
    return this.options.maxConsultationsPerTask ?? DEFAULT_MAX_CONSULTATIONS_PER_TASK;
  }

  private executionContext(task: AgentTask, signal: AbortSignal): ExecutionContext {
    const ask: ExecutionContext['ask'] = (to, question, opts = {}) => this.ask(to, question, { ...opts, signal });
    return { signal, ask: countedAsk(ask, this.maxConsultationsPerTask, this.agentId, task.task_id) };
  }

  private async callModel(task: AgentTask | undefined, request: ModelRequest, signal: AbortSignal) {
    const started = performance.now();
    const report = (model: string, usage: TokenUsage, error_kind: ModelErrorKind | null) =>
      this.options.onModelCall?.({
        agent_id: this.agentId,
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
    this.state.usage = addUsage(this.state.usage, response.usage);
    if (task) task.usage = addUsage(task.usage, response.usage);
    report(response.model, response.usage, null);
    return response;
  }

  /** `input.consult`: `{agent_id, question}` or a list of them, asked before the model call. */
  private async runConsultations(
    task: AgentTask,
    ctx: ExecutionContext,
  ): Promise<{ agent_id: string; question: string; answer: ConsultationAnswer }[]> {
    const raw = task.input.consult;
    if (raw === undefined) return [];
    const items = Array.isArray(raw) ? raw : [raw];
    assertConsultListWithin(items.length, this.maxConsultationsPerTask);
    const out = [];
    for (const [i, item] of items.entries()) {
      const rec = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      if (typeof rec.agent_id !== 'string' || typeof rec.question !== 'string' || rec.question.trim() === '') {
        throw new AgentTaskError(
          'consultation',
          `input.consult[${i}] needs a string agent_id and a non-empty question`,
        );
      }
      const answer = await ctx.ask(rec.agent_id, rec.question, {
        context: { task_id: task.task_id, title: task.title },
      });
      out.push({ agent_id: rec.agent_id, question: rec.question, answer });
    }
    return out;
  }

  private taskPrompt(
    task: AgentTask,
    consultations: { agent_id: string; question: string; answer: ConsultationAnswer }[],
  ): string {
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

  private async answerConsultation(message: AgentMessage): Promise<ConsultationAnswer> {
    const question = message.payload.question;
    if (typeof question !== 'string' || question.trim() === '')
      throw new Error(`consult from ${message.from_agent} has no question`);
    const context =
      message.payload.context === undefined ? '' : `\n\nContext (JSON):\n${JSON.stringify(message.payload.context)}`;
    const response = await this.callModel(
      undefined,
      {
        system: `${this.definition.system_prompt}\n\nRight now another agent (${message.from_agent}) is consulting you instead. Reply with one JSON object only: {"answer": string, "confidence": number between 0 and 1, "rationale": string}.`,
        messages: [{ role: 'user', content: `${question}${context}` }],
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
      throw new Error(`${this.agentId} could not produce a valid consultation answer: ${describeIssues(issues)}`);
    return parsed.value as ConsultationAnswer;
  }

  private requireMessenger(action: string): AgentMessenger {
    if (!this.options.messenger) throw new Error(`agent ${this.agentId} has no messenger: cannot ${action}`);
    return this.options.messenger;
  }

  private finish(task: AgentTask, status: 'completed' | 'failed' | 'canceled'): void {
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

  private fail(task: AgentTask, errorType: TaskErrorType, message: string): void {
    this.finish(task, 'failed');
    task.result = null;
    task.error = message;
    task.error_type = errorType;
    this.logger.warn(`task ${task.task_id} failed (${errorType}): ${message}`);
  }
}
