import type { AgentCapability, AgentRegistration } from '@app/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
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
import {
  AGENT_ID_MAX,
  AGENT_ID_PATTERN,
  CAPABILITY_MAX,
  MAX_TASKS_LIMIT,
  ROLE_MAX,
  ROLE_PATTERN,
} from '../agent-validation';

export class CapabilityDto implements AgentCapability {
  @ApiProperty({ example: 'fastapi', maxLength: CAPABILITY_MAX })
  @IsString()
  @Length(1, CAPABILITY_MAX)
  capability!: string;

  @ApiProperty({ minimum: 1, maximum: 10, example: 8 })
  @IsInt()
  @Min(1)
  @Max(10)
  proficiency_level!: number;
}

export class RegisterAgentDto implements AgentRegistration {
  @ApiProperty({ example: 'DEV-001', pattern: AGENT_ID_PATTERN.source })
  @IsString()
  @MaxLength(AGENT_ID_MAX)
  @Matches(AGENT_ID_PATTERN, {
    message: 'agent_id must look like DEV-001 (uppercase letters/digits, a dash, three digits)',
  })
  agent_id!: string;

  @ApiProperty({ example: 'Senior Backend Architect' })
  @IsString()
  @Length(1, 255)
  name!: string;

  @ApiProperty({ example: 'backend_dev', pattern: ROLE_PATTERN.source })
  @IsString()
  @MaxLength(ROLE_MAX)
  @Matches(ROLE_PATTERN, { message: 'role must be a snake_case identifier such as backend_dev' })
  role!: string;

  @ApiProperty({ example: 'localhost' })
  @IsString()
  @Length(1, 255)
  host!: string;

  @ApiProperty({ minimum: 1, maximum: 65535, example: 6001 })
  @IsInt()
  @Min(1)
  @Max(65535)
  port!: number;

  @ApiPropertyOptional({
    example: { technologies: ['FastAPI', 'SQLAlchemy'] },
    description: 'Free-form JSON object; {} when omitted',
  })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [CapabilityDto],
    description: 'Replaces every capability the agent had; none when omitted',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  // Without it a nested array ([[[]]]) slips past ValidateNested and reaches the store as nulls.
  @IsObject({ each: true, message: 'capabilities must hold objects {capability, proficiency_level}' })
  @ValidateNested({ each: true })
  @Type(() => CapabilityDto)
  capabilities?: CapabilityDto[];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_TASKS_LIMIT,
    description: 'Concurrent task capacity; kept (3 for a new agent) when omitted',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TASKS_LIMIT)
  max_tasks?: number;
}
