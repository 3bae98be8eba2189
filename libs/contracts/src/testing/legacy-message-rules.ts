import { plainToInstance, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
  validateSync,
  ValidationError,
} from 'class-validator';
import { AGENT_ADDRESS_PATTERN, AGENT_ID_PATTERN } from '../agent-id';
import { TASK_OUTCOMES, TaskOutcome } from '../task-messages';

/*
 * The class-validator rules the bus messages carried before their schemas (docs/decisions/0167), kept verbatim for
 * the differential specs: a schema must not accept what these rejected, and may reject what these accepted only
 * where the decision says it narrowed. Tests only (not built, not exported).
 */

export class LegacyTaskBudget {
  @IsOptional() @IsInt() @Min(1) max_tokens?: number;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() max_cost_usd?: number;
}

export class LegacyTaskExecute {
  @IsUUID() task_id!: string;
  @IsInt() @Min(1) attempt!: number;
  @Matches(AGENT_ID_PATTERN) agent_id!: string;
  @IsString() @MaxLength(500) title!: string;
  @IsString() description!: string;
  @IsObject() input!: Record<string, unknown>;
  @IsDateString() deadline!: string;
  @IsOptional() @IsInt() @Min(1) timeout_seconds?: number;
  @IsOptional() @IsInt() @Min(1) heartbeat_seconds?: number;
  @IsOptional() @IsUUID() workflow_run_id?: string;
  @IsOptional() @IsString() step_id?: string;
  @IsOptional() @ValidateNested() @Type(() => LegacyTaskBudget) budget?: LegacyTaskBudget;
}

export class LegacyTaskUsage {
  @IsInt() @Min(0) input_tokens!: number;
  @IsInt() @Min(0) output_tokens!: number;
  @IsOptional() @IsInt() @Min(0) cached_input_tokens?: number;
}

export class LegacyTaskStarted {
  @IsUUID() task_id!: string;
  @IsInt() @Min(1) attempt!: number;
  @Matches(AGENT_ID_PATTERN) agent_id!: string;
  @IsDateString() started_at!: string;
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

export class LegacyTaskProgress {
  @IsUUID() task_id!: string;
  @IsInt() @Min(1) attempt!: number;
  @Matches(AGENT_ID_PATTERN) agent_id!: string;
}

export class LegacyTaskWaiting {
  @IsUUID() task_id!: string;
  @IsInt() @Min(1) attempt!: number;
  @Matches(AGENT_ID_PATTERN) agent_id!: string;
  @IsInt() @Min(0) wait_ms!: number;
}

export class LegacyAgentMessage {
  @IsString() @IsNotEmpty() @MaxLength(100) message_id!: string;
  @Matches(AGENT_ID_PATTERN) from_agent!: string;
  @Matches(AGENT_ADDRESS_PATTERN) to_agent!: string;
  @IsString() @IsNotEmpty() @MaxLength(100) message_type!: string;
  @IsObject() payload!: Record<string, unknown>;
  @IsISO8601() sent_at!: string;
  @IsOptional() @IsBoolean() expects_reply?: boolean;
  @IsOptional() @IsString() @MaxLength(200) correlation_id?: string;
}

/**
 * The fields class-validator refused, as the edge ran it: the validation pipe (whitelist, unknown properties
 * forbidden) for what the orchestrator reads, validateMessage (unknown properties kept) for task.execute and
 * agent.message. Top-level nulls are dropped first, as both drop them now.
 */
export function legacyRefusals(type: new () => object, value: unknown, mode: 'pipe' | 'open'): string[] | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const input = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
  const errors = validateSync(
    plainToInstance(type, input),
    mode === 'pipe' ? { whitelist: true, forbidNonWhitelisted: true } : { forbidUnknownValues: false },
  );
  return fields(errors);
}

function fields(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return [...(e.constraints ? [field] : []), ...fields(e.children ?? [], field)];
  });
}
