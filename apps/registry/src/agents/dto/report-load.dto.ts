import type { AgentLoadReport } from '@app/contracts';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';
import { LoadFieldsDto } from './load-fields.dto';

export class ReportLoadDto extends LoadFieldsDto implements AgentLoadReport {
  @ApiPropertyOptional({ minimum: 0, description: 'Duration of a task that just finished; counts one completed task' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(7 * 24 * 3600)
  task_duration_sec?: number;
}
