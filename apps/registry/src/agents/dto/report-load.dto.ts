import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { MAX_TASKS_LIMIT } from '../agent-validation';

export class ReportLoadDto {
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

  @ApiPropertyOptional({ minimum: 0, description: 'Duration of a task that just finished; counts one completed task' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(7 * 24 * 3600)
  task_duration_sec?: number;
}
