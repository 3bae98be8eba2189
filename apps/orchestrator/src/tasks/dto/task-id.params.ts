import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class TaskIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  task_id!: string;
}
