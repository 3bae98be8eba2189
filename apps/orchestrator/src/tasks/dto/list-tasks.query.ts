import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { AGENT_ID_PATTERN, TASK_STATUSES } from '@app/contracts';
import { ROLE_PATTERN } from './create-task.dto';

export class ListTasksQuery {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: (typeof TASK_STATUSES)[number];

  @ApiPropertyOptional({ example: 'DEV-001' })
  @IsOptional()
  @Matches(AGENT_ID_PATTERN, { message: 'agent_id must look like DEV-001' })
  agent_id?: string;

  @ApiPropertyOptional({ example: 'backend_dev' })
  @IsOptional()
  @Matches(ROLE_PATTERN, { message: 'role must be a snake_case role such as backend_dev' })
  role?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflow_run_id?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
