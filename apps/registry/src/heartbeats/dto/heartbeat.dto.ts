import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_TASKS_LIMIT } from '../../agents/agent-validation';

/** The optional load a heartbeat may carry. */
export class HeartbeatDto {
  @ApiPropertyOptional({ minimum: 0 })
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
