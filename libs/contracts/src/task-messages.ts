import { Type } from 'class-transformer';
import {
  IsDateString,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsPositive,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

import { AGENT_ID_PATTERN } from './agent-id';
import { isInt, isIsoInstant, isPlainObject, isUuid, matches, onlyKeys, optional } from './fast-checks';

/** A task's budget; an absent field is no limit. */
export class TaskBudgetMessage {
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  max_cost_usd?: number;
}

/** payload of task.execute: one attempt of one task, addressed to one agent. */
export class TaskExecuteMessage {
  @IsUUID()
  task_id!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @Matches(AGENT_ID_PATTERN)
  agent_id!: string;

  @IsString()
  @MaxLength(500)
  title!: string;

  @IsString()
  description!: string;

  @IsObject()
  input!: Record<string, unknown>;

  /**
   * With timeout_seconds: the attempt must start before this instant (else it is superseded).
   * Without it (older orchestrators): after this instant the orchestrator re-dispatches; the host should stop.
   */
  @IsDateString()
  deadline!: string;

  /** Execution timeout: the attempt must finish this long after it started (docs/decisions/0081). */
  @IsOptional()
  @IsInt()
  @Min(1)
  timeout_seconds?: number;

  /** Send task.progress this often while the attempt runs (tasks with a heartbeat timeout). */
  @IsOptional()
  @IsInt()
  @Min(1)
  heartbeat_seconds?: number;

  @IsOptional()
  @IsUUID()
  workflow_run_id?: string;

  @IsOptional()
  @IsString()
  step_id?: string;

  /** Limits on the attempt's model spend; the host stops calling the model once one is reached. */
  @IsOptional()
  @ValidateNested()
  @Type(() => TaskBudgetMessage)
  budget?: TaskBudgetMessage;
}

export class TaskUsage {
  @IsInt()
  @Min(0)
  input_tokens!: number;

  @IsInt()
  @Min(0)
  output_tokens!: number;

  /** Input tokens served from the provider's prompt cache (a part of input_tokens). */
  @IsOptional()
  @IsInt()
  @Min(0)
  cached_input_tokens?: number;
}

/** payload of task.started. */
export class TaskStartedMessage {
  @IsUUID()
  task_id!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @Matches(AGENT_ID_PATTERN)
  agent_id!: string;

  @IsDateString()
  started_at!: string;

  private static readonly keys = new Set(['task_id', 'attempt', 'agent_id', 'started_at']);

  /** See fast-checks.ts: true only for a message class-validator accepts too. */
  static fastCheck(v: unknown): boolean {
    return (
      isPlainObject(v) &&
      onlyKeys(v, TaskStartedMessage.keys) &&
      isUuid(v.task_id) &&
      isInt(v.attempt, 1) &&
      matches(v.agent_id, AGENT_ID_PATTERN) &&
      isIsoInstant(v.started_at)
    );
  }
}

export const TASK_OUTCOMES = ['completed', 'failed', 'canceled'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** payload of task.result. Recorded idempotently by (task_id, attempt). */
export class TaskResultMessage {
  @IsUUID()
  task_id!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @Matches(AGENT_ID_PATTERN)
  agent_id!: string;

  @IsIn(TASK_OUTCOMES)
  status!: TaskOutcome;

  @IsOptional()
  @IsObject()
  result?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  error?: string;

  @IsDateString()
  started_at!: string;

  @IsDateString()
  completed_at!: string;

  @IsOptional()
  @IsString()
  model?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => TaskUsage)
  usage?: TaskUsage;

  /** USD the attempt's model calls cost by the host's price table. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  cost_usd?: number;

  private static readonly keys = new Set([
    'task_id',
    'attempt',
    'agent_id',
    'status',
    'result',
    'error',
    'started_at',
    'completed_at',
    'model',
    'usage',
    'cost_usd',
  ]);
  private static readonly usageKeys = new Set(['input_tokens', 'output_tokens', 'cached_input_tokens']);

  /** See fast-checks.ts: true only for a message class-validator accepts too. */
  static fastCheck(v: unknown): boolean {
    return (
      isPlainObject(v) &&
      onlyKeys(v, TaskResultMessage.keys) &&
      isUuid(v.task_id) &&
      isInt(v.attempt, 1) &&
      matches(v.agent_id, AGENT_ID_PATTERN) &&
      (TASK_OUTCOMES as readonly unknown[]).includes(v.status) &&
      optional(v.result, isPlainObject) &&
      optional(v.error, (e) => typeof e === 'string') &&
      isIsoInstant(v.started_at) &&
      isIsoInstant(v.completed_at) &&
      optional(v.model, (m) => typeof m === 'string') &&
      optional(
        v.usage,
        (u) =>
          isPlainObject(u) &&
          onlyKeys(u, TaskResultMessage.usageKeys) &&
          isInt(u.input_tokens, 0) &&
          isInt(u.output_tokens, 0) &&
          optional(u.cached_input_tokens, (c) => isInt(c, 0)),
      ) &&
      optional(v.cost_usd, (c) => typeof c === 'number' && Number.isFinite(c) && c >= 0)
    );
  }
}

/** payload of task.waiting_for_model: the attempt's next model call waits for the limits shared by all hosts. */
export class TaskWaitingMessage {
  @IsUUID()
  task_id!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @Matches(AGENT_ID_PATTERN)
  agent_id!: string;

  /** How long the limiter said to wait first (it may admit the call later than that under contention). */
  @IsInt()
  @Min(0)
  wait_ms!: number;
}
