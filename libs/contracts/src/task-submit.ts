import type { FromSchema } from 'json-schema-to-ts';
import { AGENT_ID_PATTERN } from './agent-id';
import { anyObject } from './schemas/message-fields';
import { compileSchema } from './schemas/schema-check';

export const ROLE_PATTERN = /^[a-z][a-z0-9_]{0,49}$/;
export const CAPABILITY_PATTERN = /^[a-z][a-z0-9_]{0,99}$/;

/** `budget` of a submitted task or workflow run: reaching a limit stops further model calls (`budget_exceeded`). */
export const SUBMIT_BUDGET_SCHEMA = {
  type: 'object',
  properties: {
    max_tokens: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
    max_cost_usd: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
  },
  additionalProperties: false,
} as const;

const int = <Min extends number, Max extends number>(minimum: Min, maximum: Max) =>
  ({ type: 'integer', minimum, maximum }) as const;

/**
 * The tasks submit contract: the body of POST /api/tasks and the payload of the RPC tasks.submit. The HTTP DTO
 * (CreateTaskDto, class-validator and Swagger) is held to it by a property test; this schema, compiled, is the
 * validation pipe's fast path. (Exactly one target, and null meaning absent, are the service's and pipe's.)
 * Lengths count characters as class-validator does (`minChars`/`maxChars`, see schema-check.ts).
 */
export const TASK_SUBMIT_SCHEMA = {
  type: 'object',
  properties: {
    title: { type: 'string', minChars: 1, maxChars: 500 },
    description: { type: 'string', maxChars: 20_000 },
    input: anyObject,
    agent_id: { type: 'string', pattern: AGENT_ID_PATTERN.source },
    role: { type: 'string', pattern: ROLE_PATTERN.source },
    capability: { type: 'string', pattern: CAPABILITY_PATTERN.source },
    min_proficiency: int(1, 10),
    priority: int(-1000, 1000),
    timeout_seconds: int(1, 86_400),
    max_attempts: int(1, 20),
    queue_timeout_seconds: int(1, 604_800),
    heartbeat_timeout_seconds: int(1, 86_400),
    idempotency_key: { type: 'string', minChars: 1, maxChars: 200 },
    budget: SUBMIT_BUDGET_SCHEMA,
  },
  required: ['title'],
  additionalProperties: false,
} as const;

export type TaskSubmission = FromSchema<typeof TASK_SUBMIT_SCHEMA>;
export type SubmitBudget = FromSchema<typeof SUBMIT_BUDGET_SCHEMA>;

/** TASK_SUBMIT_SCHEMA compiled once. */
export const taskSubmitCheck = compileSchema<TaskSubmission>(TASK_SUBMIT_SCHEMA);
export const submitBudgetCheck = compileSchema<SubmitBudget>(SUBMIT_BUDGET_SCHEMA);
