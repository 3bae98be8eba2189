/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type --
   each message is an interface derived from its schema merged with a class: the class is what Nest hands the
   validation pipe as the parameter's type, and carries the compiled schema. */
import type { FromSchema } from 'json-schema-to-ts';
import { agentId, anyObject, attempt, FINITE_MAX, instant, uuid } from './schemas/message-fields';
import { compileSchema } from './schemas/schema-check';

/*
 * The task messages on the bus, each declared once as a JSON Schema: its type is derived from it (FromSchema) and
 * it is validated by that schema compiled once (docs/decisions/0167). Messages the orchestrator's validation pipe
 * reads are closed (it forbids unknown properties); task.execute stays open, as the host has always read it.
 */

/** A task's budget on task.execute; an absent field is no limit. */
export const TASK_BUDGET_SCHEMA = {
  type: 'object',
  properties: {
    max_tokens: { type: 'integer', minimum: 1 },
    max_cost_usd: { type: 'number', exclusiveMinimum: 0, maximum: FINITE_MAX },
  },
} as const;

export interface TaskBudgetMessage extends FromSchema<typeof TASK_BUDGET_SCHEMA> {}

/** payload of task.execute: one attempt of one task, addressed to one agent. */
export const TASK_EXECUTE_SCHEMA = {
  type: 'object',
  properties: {
    task_id: uuid,
    attempt,
    agent_id: agentId,
    title: { type: 'string', maxChars: 500 },
    description: { type: 'string' },
    input: anyObject,
    /**
     * With timeout_seconds: the attempt must start before this instant (else it is superseded).
     * Without it (older orchestrators): after this instant the orchestrator re-dispatches; the host should stop.
     */
    deadline: instant,
    /** Execution timeout: the attempt must finish this long after it started (docs/decisions/0081). */
    timeout_seconds: { type: 'integer', minimum: 1 },
    /** Send task.progress this often while the attempt runs (tasks with a heartbeat timeout). */
    heartbeat_seconds: { type: 'integer', minimum: 1 },
    workflow_run_id: uuid,
    step_id: { type: 'string' },
    /** Limits on the attempt's model spend; the host stops calling the model once one is reached. */
    budget: TASK_BUDGET_SCHEMA,
  },
  required: ['task_id', 'attempt', 'agent_id', 'title', 'description', 'input', 'deadline'],
} as const;

export interface TaskExecuteMessage extends FromSchema<typeof TASK_EXECUTE_SCHEMA> {}
export class TaskExecuteMessage {
  static readonly schemaCheck = compileSchema<TaskExecuteMessage>(TASK_EXECUTE_SCHEMA);
}

export const TASK_USAGE_SCHEMA = {
  type: 'object',
  properties: {
    input_tokens: { type: 'integer', minimum: 0 },
    output_tokens: { type: 'integer', minimum: 0 },
    /** Input tokens served from the provider's prompt cache (a part of input_tokens). */
    cached_input_tokens: { type: 'integer', minimum: 0 },
  },
  required: ['input_tokens', 'output_tokens'],
  additionalProperties: false,
} as const;

export type TaskUsage = FromSchema<typeof TASK_USAGE_SCHEMA>;

/** payload of task.started. */
export const TASK_STARTED_SCHEMA = {
  type: 'object',
  properties: { task_id: uuid, attempt, agent_id: agentId, started_at: instant },
  required: ['task_id', 'attempt', 'agent_id', 'started_at'],
  additionalProperties: false,
} as const;

export interface TaskStartedMessage extends FromSchema<typeof TASK_STARTED_SCHEMA> {}
export class TaskStartedMessage {
  static readonly schemaCheck = compileSchema<TaskStartedMessage>(TASK_STARTED_SCHEMA);
}

export const TASK_OUTCOMES = ['completed', 'failed', 'canceled'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** payload of task.result. Recorded idempotently by (task_id, attempt). */
export const TASK_RESULT_SCHEMA = {
  type: 'object',
  properties: {
    task_id: uuid,
    attempt,
    agent_id: agentId,
    status: { type: 'string', enum: TASK_OUTCOMES },
    result: anyObject,
    error: { type: 'string' },
    started_at: instant,
    completed_at: instant,
    model: { type: 'string' },
    usage: TASK_USAGE_SCHEMA,
    /** USD the attempt's model calls cost by the host's price table. */
    cost_usd: { type: 'number', minimum: 0, maximum: FINITE_MAX },
  },
  required: ['task_id', 'attempt', 'agent_id', 'status', 'started_at', 'completed_at'],
  additionalProperties: false,
} as const;

export interface TaskResultMessage extends FromSchema<typeof TASK_RESULT_SCHEMA> {}
export class TaskResultMessage {
  static readonly schemaCheck = compileSchema<TaskResultMessage>(TASK_RESULT_SCHEMA);
}

/** payload of task.waiting_for_model: the attempt's next model call waits for the limits shared by all hosts. */
export const TASK_WAITING_SCHEMA = {
  type: 'object',
  properties: {
    task_id: uuid,
    attempt,
    agent_id: agentId,
    /** How long the limiter said to wait first (it may admit the call later than that under contention). */
    wait_ms: { type: 'integer', minimum: 0 },
  },
  required: ['task_id', 'attempt', 'agent_id', 'wait_ms'],
  additionalProperties: false,
} as const;

export interface TaskWaitingMessage extends FromSchema<typeof TASK_WAITING_SCHEMA> {}
export class TaskWaitingMessage {
  static readonly schemaCheck = compileSchema<TaskWaitingMessage>(TASK_WAITING_SCHEMA);
}
