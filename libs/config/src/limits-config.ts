import { EnvReader } from './env-reader';

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

export function limitsConfig(env: EnvReader): LimitsConfig {
  return {
    httpJsonMaxDepth: env.int('HTTP_JSON_MAX_DEPTH', 64, 4, 1_000),
    busJsonMaxDepth: env.int('BUS_JSON_MAX_DEPTH', 66, 4, 1_000),
    taskInputMaxBytes: env.int('TASK_INPUT_MAX_BYTES', 262_144, 1_024, 16_777_216),
    taskInputMaxDepth: env.int('TASK_INPUT_MAX_DEPTH', 32, 1, 60),
    taskResultMaxBytes: env.int('TASK_RESULT_MAX_BYTES', 1_048_576, 1_024, 67_108_864),
    taskErrorMaxChars: env.int('TASK_ERROR_MAX_CHARS', 4_000, 100, 1_000_000),
    foreachMaxItems: env.int('WORKFLOW_FOREACH_MAX_ITEMS', 200, 1, 100_000),
    agentMetadataMaxBytes: env.int('AGENT_METADATA_MAX_BYTES', 16_384, 256, 1_048_576),
    groupCommitQueueMax: env.int('ORCHESTRATOR_GROUP_COMMIT_QUEUE_MAX', 20_000, 1, 10_000_000),
    pendingTasksMax: env.int('ORCHESTRATOR_PENDING_TASKS_MAX', 100_000, 1, 100_000_000),
    maxConsultationsPerTask: env.int('AGENT_MAX_CONSULTATIONS_PER_TASK', 10, 0, 1_000),
    deadLetterMaxLength: env.int('BUS_DEAD_LETTER_MAX_LENGTH', 10_000, 10, 10_000_000),
    deadLetterMaxAgeHours: env.int('BUS_DEAD_LETTER_MAX_AGE_HOURS', 168, 1, 87_600),
    deadConsumerIdleMinutes: env.int('BUS_DEAD_CONSUMER_IDLE_MINUTES', 60, 1, 525_600),
  };
}
