import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_TASKS_LIMIT } from '../agent-validation';

/** The load fields an agent reports, in a heartbeat or a load report. */
export class LoadFieldsDto {
  @ApiPropertyOptional({ minimum: 0, description: 'Tasks the agent is running now' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TASKS_LIMIT)
  current_tasks?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TASKS_LIMIT })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TASKS_LIMIT)
  max_tasks?: number;
}
