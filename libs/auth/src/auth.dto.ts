import { AGENT_ID_PATTERN } from '@app/contracts';
import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ALL_SCOPES, SCOPES } from './principal';

const SCOPE_VALUES = [...SCOPES, ALL_SCOPES];

export class CreateKeyDto {
  @ApiProperty({ example: 'ci' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ example: ['tasks:read', 'tasks:write'], enum: SCOPE_VALUES, isArray: true })
  @IsArray()
  @ArrayMaxSize(20)
  @IsIn(SCOPE_VALUES, { each: true })
  scopes!: string[];

  @ApiPropertyOptional({ example: ['QA-001'], description: 'Agent ids this credential may act as (agent hosts)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(AGENT_ID_PATTERN, { each: true, message: 'agent_ids must be agent ids such as QA-001' })
  agent_ids?: string[];

  @ApiPropertyOptional({ example: '2027-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}

export class ListKeysQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  include_revoked?: string;
}

export class AuditQuery {
  @ApiPropertyOptional({ example: 'api_key:ci' }) @IsOptional() @IsString() @MaxLength(200) actor?: string;
  @ApiPropertyOptional({ example: 'keys.create' }) @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) resource?: string;
  @ApiPropertyOptional({ enum: ['success', 'failure', 'denied', 'unauthenticated', 'rate_limited'] })
  @IsOptional()
  @IsIn(['success', 'failure', 'denied', 'unauthenticated', 'rate_limited'])
  outcome?: string;
  @ApiPropertyOptional({ enum: ['registry', 'orchestrator', 'agent-host'] })
  @IsOptional()
  @IsIn(['registry', 'orchestrator', 'agent-host'])
  service?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) since?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) until?: string;
  @ApiPropertyOptional({ description: 'next_before of the previous page' })
  @IsOptional()
  @Matches(/^[0-9]{1,19}$/)
  before?: string;
  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
