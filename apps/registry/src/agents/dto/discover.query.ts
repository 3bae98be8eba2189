import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { CAPABILITY_MAX, MAX_TASKS_LIMIT, ROLE_MAX, ROLE_PATTERN } from '../agent-validation';

export class DiscoverByRoleQuery {
  @ApiPropertyOptional({ minimum: 1, description: 'Only agents whose current_tasks is below this' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_TASKS_LIMIT)
  max_load?: number;
}

export class DiscoverByCapabilityQuery {
  @ApiProperty({ example: 'fastapi' })
  @IsString()
  @Length(1, CAPABILITY_MAX)
  capability!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  min_proficiency?: number;

  @ApiPropertyOptional({ example: 'backend_dev' })
  @IsOptional()
  @MaxLength(ROLE_MAX)
  @Matches(ROLE_PATTERN, { message: 'role must be a snake_case identifier such as backend_dev' })
  role?: string;
}
