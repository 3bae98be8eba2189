import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { AGENT_STATUSES, AgentStatus } from '@app/contracts';
import { CAPABILITY_MAX, ROLE_MAX, ROLE_PATTERN } from '../agent-validation';

export class ListAgentsQuery {
  @ApiPropertyOptional({ example: 'backend_dev' })
  @IsOptional()
  @MaxLength(ROLE_MAX)
  @Matches(ROLE_PATTERN, { message: 'role must be a snake_case identifier such as backend_dev' })
  role?: string;

  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @IsOptional()
  @IsIn(AGENT_STATUSES, { message: `status must be one of ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;

  @ApiPropertyOptional({ example: 'fastapi' })
  @IsOptional()
  @IsString()
  @Length(1, CAPABILITY_MAX)
  capability?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}
