import { Logger } from '@nestjs/common';
import type { AgentDefinition } from '../catalog/catalog.types';
import type { ConsultationAnswer } from '../outputs/output-kinds';
import { describeIssues, OutputValidationResult, validateOutput } from '../outputs/output-validators';
import { ModelProvider, ModelProviderError } from '../providers/model-provider';
import { askAgent, AskOptions, runInputConsultations } from './agent-consultations';
import { AgentConversation } from './agent-conversation';
import { AgentMailbox } from './agent-mailbox';
import { AgentMessage, MessageHandler, MessagePayload } from './agent-messenger';
import type { AgentState } from './agent-state';
import { AgentStateKeeper } from './agent-state-keeper';
import { AgentSlots, SlotEntry } from './agent-slots';
import { AgentTask, AgentTaskResult, TaskErrorType } from './agent-task';
import type { AgentLogger, AgentOptions, AgentStatusReport, ExecutionContext, ExecutionOutcome } from './agent.types';
import { AgentTaskError, TaskStateError } from './agent.errors';
import { countedAsk, DEFAULT_MAX_CONSULTATIONS_PER_TASK } from './consultation-limit';

// The agent's public types and the JSON reader, exported from here as before the agent was split.
export type {
  AgentOptions,
  AgentRunState,
  AgentStatusReport,
  ExecutionContext,
  ExecutionOutcome,
  ModelCallEvent,
} from './agent.types';
export { parseModelJson } from './agent-conversation';

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
 *
 * The public face over its parts: the slots (AgentSlots), the conversation with the model (AgentConversation),
 * messaging and consultations (AgentMailbox, agent-consultations) and the state it keeps (AgentStateKeeper).
 * What a task goes through, from slot to terminal status, is read here in `runTask`.
 */
export class Agent {
  readonly startedAt = new Date().toISOString();
  protected readonly logger: AgentLogger;
  private readonly slots: AgentSlots;
  private readonly state: AgentStateKeeper;
  private readonly conversation: AgentConversation;
  private readonly mailbox: AgentMailbox;

  constructor(
    readonly definition: AgentDefinition,
    protected readonly provider: ModelProvider,
    protected readonly options: AgentOptions = {},
  ) {
    this.logger = options.logger ?? new Logger(`Agent ${definition.agent_id}`);
    this.slots = new AgentSlots(definition);
    this.state = new AgentStateKeeper();
    this.conversation = new AgentConversation(definition, provider, this.state, options, this.logger);
    this.mailbox = new AgentMailbox(definition.agent_id, options.messenger, this.logger, (message) =>
      this.conversation.answerConsultation(message),
    );
  }

  get agentId(): string {
    return this.definition.agent_id;
  }

  get maxConcurrentTasks(): number {
    return this.definition.max_concurrent_tasks;
  }

  get activeTaskCount(): number {
    return this.slots.size;
  }

  get maxConsultationsPerTask(): number {
    return this.options.maxConsultationsPerTask ?? DEFAULT_MAX_CONSULTATIONS_PER_TASK;
  }

  canAcceptTask(): boolean {
    return this.slots.canAccept();
  }

  /** Reserves a capacity slot for the task; `runTask` uses the slot (or reserves one itself). */
  assignTask(task: AgentTask): AgentTask {
    return this.slots.assign(task);
  }

  /** Frees the slot of an assigned task that will not run. */
  releaseTask(taskId: string): boolean {
    return this.slots.release(taskId);
  }

  /**
   * Resolves once a slot is free and `taskId` (when given) holds none — at once if that is already so. A free
   * slot is not reserved: the caller assigns and may find it taken again, then waits again.
   */
  whenFree(taskId?: string, signal?: AbortSignal): Promise<void> {
    return this.slots.whenFree(taskId, signal);
  }

  /** Cooperatively cancels a running or assigned task: the provider call is aborted and it ends `canceled`. */
  cancelTask(taskId: string, reason = 'canceled'): boolean {
    return this.slots.cancel(taskId, reason);
  }

  /**
   * Runs the task to a terminal status and returns it (the same object, updated): execute →
   * parse (one JSON repair attempt) → validate → completed, or failed listing every validation
   * error, or canceled. Never throws for task-level failures; throws AgentAtCapacityError when
   * there is no free slot and TaskStateError for a task that already finished.
   */
  async runTask(task: AgentTask, options: { signal?: AbortSignal } = {}): Promise<AgentTask> {
    if (task.status === 'in_progress') throw new TaskStateError(`task ${task.task_id} is already running`);
    if (!this.slots.has(task.task_id)) this.assignTask(task);
    const { controller } = this.slots.entry(task.task_id) as SlotEntry;
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
        this.state.finishTask(task, 'completed');
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
        this.state.finishTask(task, 'canceled');
        task.result = null;
        task.error = `canceled: ${reason}`;
        task.error_type = 'canceled';
      } else {
        this.fail(task, errorTypeOf(error), error instanceof Error ? error.message : String(error));
      }
    } finally {
      options.signal?.removeEventListener('abort', onExternalAbort);
      this.slots.free(task.task_id);
    }
    return task;
  }

  /**
   * Produces the raw output. Default: consult the agents named in `input.consult`, call the model
   * with the system prompt and the output kind's schema, and parse its JSON (one repair attempt).
   */
  protected async execute(task: AgentTask, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    const consultations = await runInputConsultations(task, ctx, this.maxConsultationsPerTask);
    return await this.conversation.completeTask(task, consultations, ctx.signal);
  }

  /** Checks the output with the output kind's validator; override to add agent-specific rules. */
  protected validateOutput(_task: AgentTask, output: unknown): OutputValidationResult {
    return validateOutput(this.definition.output_kind, output);
  }

  getStatusReport(): AgentStatusReport {
    const active = this.slots.size;
    const state = this.state.current;
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
      active_task_ids: this.slots.taskIds(),
      tasks_completed: state.tasks_completed,
      tasks_failed: state.tasks_failed,
      tasks_canceled: state.tasks_canceled,
      usage: { ...state.usage },
      messages_received: this.mailbox.messagesReceived,
      last_task_at: state.last_task_at,
      started_at: this.startedAt,
    };
  }

  /** A JSON copy of what should survive a restart (the host writes it to `agent_state`). */
  exportState(): AgentState {
    return this.state.export();
  }

  /** Restores a stored state; returns warnings for fields that had to be dropped. */
  restoreState(stored: unknown): string[] {
    const warnings = this.state.restore(stored);
    for (const warning of warnings) this.logger.warn(`restoring state: ${warning}`);
    return warnings;
  }

  setNote(key: string, value: unknown): void {
    this.state.setNote(key, value);
  }

  getNote(key: string): unknown {
    return this.state.getNote(key);
  }

  // --- messaging (the seed's integration) ---

  sendMessage(to: string, messageType: string, payload: MessagePayload = {}): Promise<void> {
    return this.mailbox.send(to, messageType, payload);
  }

  broadcast(messageType: string, payload: MessagePayload = {}): Promise<void> {
    return this.mailbox.broadcast(messageType, payload);
  }

  /** Registers a handler for one message type (replacing any previous one). */
  onMessage(messageType: string, handler: MessageHandler): void {
    this.mailbox.onMessage(messageType, handler);
  }

  /**
   * Entry point for messages addressed to this agent. Registered handlers win; `consult` is
   * answered through the model by default; for a request, the return value is the reply.
   */
  handleIncomingMessage(message: AgentMessage): Promise<MessagePayload | undefined> {
    return this.mailbox.handleIncoming(message);
  }

  /**
   * Asks another agent a question and waits for its answer, failing with AgentRequestTimeoutError
   * after `timeoutMs` (or when `signal` aborts, e.g. the task was canceled).
   */
  ask(to: string, question: string, options: AskOptions = {}): Promise<ConsultationAnswer> {
    return askAgent(this.mailbox, this.agentId, to, question, options, this.options.askTimeoutMs ?? 30_000);
  }

  // --- internals ---

  /** The task's context: its signal, and `ask` bound to it and counted against the per-task limit. */
  private executionContext(task: AgentTask, signal: AbortSignal): ExecutionContext {
    const ask: ExecutionContext['ask'] = (to, question, opts = {}) => this.ask(to, question, { ...opts, signal });
    return { signal, ask: countedAsk(ask, this.maxConsultationsPerTask, this.agentId, task.task_id) };
  }

  private fail(task: AgentTask, errorType: TaskErrorType, message: string): void {
    this.state.finishTask(task, 'failed');
    task.result = null;
    task.error = message;
    task.error_type = errorType;
    this.logger.warn(`task ${task.task_id} failed (${errorType}): ${message}`);
  }
}
