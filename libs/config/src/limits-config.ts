import { EnvOf, int } from './env-schema';

/**
 * Bounds on every input and resource a client or a peer can grow (issue 12). Each has a default that
 * fits ordinary use; README "Limits" lists them. docs/decisions/0070 says where each is enforced.
 */
export interface LimitsConfig {
  /** HTTP_JSON_MAX_DEPTH: deepest JSON body (checked on the raw bytes before parsing). */
  httpJsonMaxDepth: number;
  /** BUS_JSON_MAX_DEPTH: deepest bus envelope (payload included), checked before parsing. */
  busJsonMaxDepth: number;
  /** TASK_INPUT_MAX_BYTES: a task's (or workflow run's) `input` as JSON. */
  taskInputMaxBytes: number;
  /** TASK_INPUT_MAX_DEPTH: nesting of a task's (or workflow run's) `input`. */
  taskInputMaxDepth: number;
  /** TASK_RESULT_MAX_BYTES: an agent's result as JSON; larger turns the outcome into a failure saying so. */
  taskResultMaxBytes: number;
  /** TASK_ERROR_MAX_CHARS: an agent's error text is cut to this. */
  taskErrorMaxChars: number;
  /** WORKFLOW_FOREACH_MAX_ITEMS: children one workflow foreach step may start; more fails the step saying so. */
  foreachMaxItems: number;
  /** AGENT_METADATA_MAX_BYTES: an agent's registry `metadata` as JSON. */
  agentMetadataMaxBytes: number;
  /** ORCHESTRATOR_GROUP_COMMIT_QUEUE_MAX: submissions waiting for a commit; beyond it POST /api/tasks answers 503. */
  groupCommitQueueMax: number;
  /**
   * ORCHESTRATOR_PENDING_TASKS_MAX: tasks waiting for an agent slot; beyond it new submissions and workflow runs
   * answer 503 TASK_BACKLOG_FULL (steps of runs already started are still accepted).
   */
  pendingTasksMax: number;
  /** AGENT_MAX_CONSULTATIONS_PER_TASK: consultations one task may ask of other agents; more are refused. */
  maxConsultationsPerTask: number;
  /** BUS_DEAD_LETTER_MAX_LENGTH: dead letters kept per bus address. */
  deadLetterMaxLength: number;
  /** BUS_DEAD_LETTER_MAX_AGE_HOURS: dead letters older than this are trimmed. */
  deadLetterMaxAgeHours: number;
  /** BUS_DEAD_CONSUMER_IDLE_MINUTES: a consumer with no pending entries idle this long leaves its group. */
  deadConsumerIdleMinutes: number;
}

export const LIMITS_ENV = {
  HTTP_JSON_MAX_DEPTH: int('Deepest JSON body (checked on the raw bytes before parsing).', {
    minimum: 4,
    maximum: 1_000,
    default: 64,
  }),
  BUS_JSON_MAX_DEPTH: int('Deepest bus envelope (payload included), checked before parsing.', {
    minimum: 4,
    maximum: 1_000,
    default: 66,
  }),
  TASK_INPUT_MAX_BYTES: int("A task's (or workflow run's) `input` as JSON, in bytes.", {
    minimum: 1_024,
    maximum: 16_777_216,
    default: 262_144,
  }),
  TASK_INPUT_MAX_DEPTH: int("Nesting of a task's (or workflow run's) `input`.", {
    minimum: 1,
    maximum: 60,
    default: 32,
  }),
  TASK_RESULT_MAX_BYTES: int("An agent's result as JSON, in bytes; larger fails the task saying so.", {
    minimum: 1_024,
    maximum: 67_108_864,
    default: 1_048_576,
  }),
  TASK_ERROR_MAX_CHARS: int("An agent's error text is cut to this.", {
    minimum: 100,
    maximum: 1_000_000,
    default: 4_000,
  }),
  WORKFLOW_FOREACH_MAX_ITEMS: int('Children one workflow foreach step may start.', {
    minimum: 1,
    maximum: 100_000,
    default: 200,
  }),
  AGENT_METADATA_MAX_BYTES: int("An agent's registry `metadata` as JSON, in bytes.", {
    minimum: 256,
    maximum: 1_048_576,
    default: 16_384,
  }),
  ORCHESTRATOR_GROUP_COMMIT_QUEUE_MAX: int('Submissions waiting for a commit; beyond it POST /api/tasks answers 503.', {
    minimum: 1,
    maximum: 10_000_000,
    default: 20_000,
  }),
  ORCHESTRATOR_PENDING_TASKS_MAX: int('Tasks waiting for an agent slot; beyond it new work answers 503.', {
    minimum: 1,
    maximum: 100_000_000,
    default: 100_000,
  }),
  AGENT_MAX_CONSULTATIONS_PER_TASK: int('Consultations one task may ask of other agents (0 = none).', {
    minimum: 0,
    maximum: 1_000,
    default: 10,
  }),
  BUS_DEAD_LETTER_MAX_LENGTH: int('Dead letters kept per bus address.', {
    minimum: 10,
    maximum: 10_000_000,
    default: 10_000,
  }),
  BUS_DEAD_LETTER_MAX_AGE_HOURS: int('Dead letters older than this are trimmed.', {
    minimum: 1,
    maximum: 87_600,
    default: 168,
  }),
  BUS_DEAD_CONSUMER_IDLE_MINUTES: int('A consumer with no pending entries idle this long leaves its group.', {
    minimum: 1,
    maximum: 525_600,
    default: 60,
  }),
} as const;

export function limitsConfig(env: EnvOf<typeof LIMITS_ENV>): LimitsConfig {
  return {
    httpJsonMaxDepth: env.HTTP_JSON_MAX_DEPTH,
    busJsonMaxDepth: env.BUS_JSON_MAX_DEPTH,
    taskInputMaxBytes: env.TASK_INPUT_MAX_BYTES,
    taskInputMaxDepth: env.TASK_INPUT_MAX_DEPTH,
    taskResultMaxBytes: env.TASK_RESULT_MAX_BYTES,
    taskErrorMaxChars: env.TASK_ERROR_MAX_CHARS,
    foreachMaxItems: env.WORKFLOW_FOREACH_MAX_ITEMS,
    agentMetadataMaxBytes: env.AGENT_METADATA_MAX_BYTES,
    groupCommitQueueMax: env.ORCHESTRATOR_GROUP_COMMIT_QUEUE_MAX,
    pendingTasksMax: env.ORCHESTRATOR_PENDING_TASKS_MAX,
    maxConsultationsPerTask: env.AGENT_MAX_CONSULTATIONS_PER_TASK,
    deadLetterMaxLength: env.BUS_DEAD_LETTER_MAX_LENGTH,
    deadLetterMaxAgeHours: env.BUS_DEAD_LETTER_MAX_AGE_HOURS,
    deadConsumerIdleMinutes: env.BUS_DEAD_CONSUMER_IDLE_MINUTES,
  };
}
