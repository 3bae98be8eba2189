import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { AGENT_ID_PATTERN, CAPABILITY_PATTERN, ROLE_PATTERN, taskSubmitCheck } from '@app/contracts';
import { BudgetDto } from './budget.dto';

export { CAPABILITY_PATTERN, ROLE_PATTERN } from '@app/contracts';

/**
 * POST /api/tasks (and tasks.submit): exactly one target, agent_id or role and/or capability. The contract is
 * TASK_SUBMIT_SCHEMA (@app/contracts); these decorators render it in the OpenAPI document and name the fields of
 * a body the schema refuses. create-task.dto.spec.ts holds the two to agreement.
 */
export class CreateTaskDto {
  @ApiProperty({ example: 'Design the login API', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  title!: string;

  @ApiPropertyOptional({ example: 'OAuth2 with PKCE for the mobile app' })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { scripted: { verdict: 'approve' } } })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'DEV-001', description: 'Run on this agent (excludes role and capability)' })
  @IsOptional()
  @Matches(AGENT_ID_PATTERN, { message: 'agent_id must look like DEV-001' })
  agent_id?: string;

  @ApiPropertyOptional({ example: 'backend_dev', description: 'Least-loaded online agent of this role' })
  @IsOptional()
  @Matches(ROLE_PATTERN, { message: 'role must be a snake_case role such as backend_dev' })
  role?: string;

  @ApiPropertyOptional({
    example: 'api_design',
    description: 'Least-loaded online agent with this capability (narrowed by role if given)',
  })
  @IsOptional()
  @Matches(CAPABILITY_PATTERN, { message: 'capability must be a snake_case capability such as api_design' })
  capability?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  min_proficiency?: number;

  @ApiPropertyOptional({ minimum: -1000, maximum: 1000, default: 0, description: 'Higher first when tasks wait' })
  @IsOptional()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 86400,
    description: 'Execution timeout: each attempt must finish this long after it started',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  timeout_seconds?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 20 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  max_attempts?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 604800,
    description: 'Queue timeout: the task fails if no attempt has started this long after acceptance',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(604_800)
  queue_timeout_seconds?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 86400,
    description: 'Progress heartbeat: an attempt whose host sends no heartbeat for this long is timed out early',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  heartbeat_timeout_seconds?: number;

  @ApiPropertyOptional({ example: 'order-42-design', description: 'The same key returns the same task' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  idempotency_key?: string;

  @ApiPropertyOptional({ type: BudgetDto, description: 'Limits on the model spend of the task' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BudgetDto)
  budget?: BudgetDto;

  /** The compiled contract: a body it accepts skips class-transformer and class-validator (see FastPathValidationPipe). */
  static readonly fastCheck = taskSubmitCheck;
}
