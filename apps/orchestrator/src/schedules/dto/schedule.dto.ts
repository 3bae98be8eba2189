import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CreateTaskDto } from '../../tasks/dto/create-task.dto';
import { CATCH_UP_POLICIES, CatchUpPolicy, OVERLAP_POLICIES, OverlapPolicy } from '../schedule-clock';

/** What a fire starts: a workflow run (`workflow` + `input`) or a task (`task`), exactly one. */
export class ScheduleTargetDto {
  @ApiPropertyOptional({ example: 'mcq_generation' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,99}$/, { message: 'workflow must be a snake_case workflow name such as mcq_generation' })
  workflow?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { topics: ['Cardiology: heart failure'] },
  })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;

  @ApiPropertyOptional({ type: () => CreateTaskDto, description: 'The body of POST /api/tasks (no idempotency_key)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CreateTaskDto)
  task?: CreateTaskDto;
}

export class CreateScheduleDto {
  @ApiProperty({ example: 'weekly-mcq-batch' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, {
    message: 'name must be 1-100 letters, digits, "_", "." or "-", starting with a letter or digit',
  })
  name!: string;

  @ApiProperty({
    example: '0 9 * * MON',
    description: 'Cron expression: 5 fields, or 6 with seconds first; @daily, @hourly, ... also work',
  })
  @IsString()
  @MaxLength(200)
  cron!: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', default: 'UTC', description: 'IANA time zone the cron reads in' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @ApiProperty({ type: () => ScheduleTargetDto })
  @IsObject({ message: 'target must be an object: {workflow, input} or {task}' })
  @ValidateNested()
  @Type(() => ScheduleTargetDto)
  target!: ScheduleTargetDto;

  @ApiPropertyOptional({
    enum: OVERLAP_POLICIES,
    default: 'skip',
    description: 'When the previous fire is still running: skip this one, queue it, or allow both',
  })
  @IsOptional()
  @IsIn(OVERLAP_POLICIES)
  overlap?: OverlapPolicy;

  @ApiPropertyOptional({
    enum: CATCH_UP_POLICIES,
    default: 'last',
    description:
      'Fires missed while no orchestrator ran (or while paused): none, the last one, or all (up to catch_up_max)',
  })
  @IsOptional()
  @IsIn(CATCH_UP_POLICIES)
  catch_up?: CatchUpPolicy;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  catch_up_max?: number;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;
}

export class UpdateScheduleDto extends PartialType(CreateScheduleDto) {}

export class ScheduleIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  schedule_id!: string;
}
