/**
 * The hand-written predicates the compiled schemas replaced (libs/contracts fast-checks.ts and the `fastCheck`s of
 * TaskResultMessage, CreateTaskDto and BudgetDto before decision 0167), verbatim: the benchmark's baseline; and
 * task.result's class-validator rules of then (the path every predicate let a valid message skip).
 */
import { Type } from 'class-transformer';
import {
  IsDateString,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { AGENT_ID_PATTERN, CAPABILITY_PATTERN, ROLE_PATTERN, TASK_OUTCOMES, TaskOutcome } from '@app/contracts';

class LegacyTaskUsage {
  @IsInt() @Min(0) input_tokens!: number;
  @IsInt() @Min(0) output_tokens!: number;
  @IsOptional() @IsInt() @Min(0) cached_input_tokens?: number;
}

export class LegacyTaskResult {
  @IsUUID() task_id!: string;
  @IsInt() @Min(1) attempt!: number;
  @Matches(AGENT_ID_PATTERN) agent_id!: string;
  @IsIn(TASK_OUTCOMES) status!: TaskOutcome;
  @IsOptional() @IsObject() result?: Record<string, unknown>;
  @IsOptional() @IsString() error?: string;
  @IsDateString() started_at!: string;
  @IsDateString() completed_at!: string;
  @IsOptional() @IsString() model?: string;
  @IsOptional() @ValidateNested() @Type(() => LegacyTaskUsage) usage?: LegacyTaskUsage;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) cost_usd?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ISO_INSTANT =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
const isIsoInstant = (v: unknown): v is string => typeof v === 'string' && ISO_INSTANT.test(v);
const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isStringMax = (v: unknown, max: number, min = 0): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;
const matches = (v: unknown, pattern: RegExp): v is string => typeof v === 'string' && pattern.test(v);
function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);

const resultKeys = new Set([
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
const usageKeys = new Set(['input_tokens', 'output_tokens', 'cached_input_tokens']);

export function legacyResultFastCheck(v: unknown): boolean {
  return (
    isPlainObject(v) &&
    onlyKeys(v, resultKeys) &&
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
        onlyKeys(u, usageKeys) &&
        isInt(u.input_tokens, 0) &&
        isInt(u.output_tokens, 0) &&
        optional(u.cached_input_tokens, (c) => isInt(c, 0)),
    ) &&
    optional(v.cost_usd, (c) => typeof c === 'number' && Number.isFinite(c) && c >= 0)
  );
}

const budgetKeys = new Set(['max_tokens', 'max_cost_usd']);
const budgetFastCheck = (v: unknown): boolean =>
  isPlainObject(v) &&
  onlyKeys(v, budgetKeys) &&
  optional(v.max_tokens, (n) => isInt(n, 1, 1_000_000_000)) &&
  optional(v.max_cost_usd, (n) => typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= 1_000_000);

const createKeys = new Set([
  'title',
  'description',
  'input',
  'agent_id',
  'role',
  'capability',
  'min_proficiency',
  'priority',
  'timeout_seconds',
  'max_attempts',
  'queue_timeout_seconds',
  'heartbeat_timeout_seconds',
  'idempotency_key',
  'budget',
]);

export function legacyCreateTaskFastCheck(v: unknown): boolean {
  return (
    isPlainObject(v) &&
    onlyKeys(v, createKeys) &&
    isStringMax(v.title, 500, 1) &&
    optional(v.description, (d) => isStringMax(d, 20_000)) &&
    optional(v.input, isPlainObject) &&
    optional(v.agent_id, (a) => matches(a, AGENT_ID_PATTERN)) &&
    optional(v.role, (r) => matches(r, ROLE_PATTERN)) &&
    optional(v.capability, (c) => matches(c, CAPABILITY_PATTERN)) &&
    optional(v.min_proficiency, (n) => isInt(n, 1, 10)) &&
    optional(v.priority, (n) => isInt(n, -1000, 1000)) &&
    optional(v.timeout_seconds, (n) => isInt(n, 1, 86_400)) &&
    optional(v.max_attempts, (n) => isInt(n, 1, 20)) &&
    optional(v.queue_timeout_seconds, (n) => isInt(n, 1, 604_800)) &&
    optional(v.heartbeat_timeout_seconds, (n) => isInt(n, 1, 86_400)) &&
    optional(v.idempotency_key, (k) => isStringMax(k, 200, 1)) &&
    optional(v.budget, budgetFastCheck)
  );
}
