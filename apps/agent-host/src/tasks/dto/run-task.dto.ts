import { AGENT_ID_PATTERN } from '@app/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
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
} from 'class-validator';

/**
 * The budget of a `POST /task` body: the rules of a dispatched attempt's budget (TASK_BUDGET_SCHEMA in
 * @app/contracts), as decorators for this HTTP DTO; run-task.dto.spec.ts holds the two to agreement.
 */
export class RunTaskBudgetDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  max_cost_usd?: number;
}

/** The seed's `POST /task` body (its AgentTask fields a caller sets). */
export class RunTaskDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Generated when omitted' })
  @IsOptional()
  @IsUUID()
  task_id?: string;

  @ApiProperty({ example: 'Design the patient intake API', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title!: string;

  @ApiPropertyOptional({ example: 'REST endpoints for intake forms with validation', maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string;

  @ApiPropertyOptional({
    description:
      'Free-form task input (e.g. `scripted: {latency_ms}` steers the scripted provider, `consult` asks other agents)',
    example: {},
  })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;

  // The same rules as a dispatched attempt's budget (TASK_BUDGET_SCHEMA), described here for the OpenAPI document.
  @ApiPropertyOptional({
    description: "Limits on this task's model spend; reaching one stops further model calls (`budget_exceeded`)",
    type: 'object',
    properties: {
      max_tokens: { type: 'integer', minimum: 1, example: 20000 },
      max_cost_usd: { type: 'number', minimum: 0, exclusiveMinimum: true, example: 0.5 },
    },
    additionalProperties: false,
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RunTaskBudgetDto)
  budget?: RunTaskBudgetDto;
}

export class AgentIdParam {
  @ApiProperty({ example: 'DEV-001' })
  @Matches(AGENT_ID_PATTERN, {
    message: 'agent_id must look like DEV-001 (uppercase letters/digits, a dash, three digits)',
  })
  agent_id!: string;
}
