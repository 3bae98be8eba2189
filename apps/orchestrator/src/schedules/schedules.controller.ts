import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { AuditScope, CurrentAudit, RequireScopes } from '@app/auth';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateScheduleDto, ScheduleIdParams, UpdateScheduleDto } from './dto/schedule.dto';
import { SchedulesService } from './schedules.service';

@ApiTags('schedules')
@Controller('api/schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post()
  @RequireScopes('workflows:run')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a schedule: a cron expression that starts a workflow run or a task' })
  create(@Body() dto: CreateScheduleDto, @CurrentAudit() audit: AuditScope | undefined) {
    return this.schedules.create(dto, audit);
  }

  @Get()
  @RequireScopes('tasks:read')
  @ApiOperation({ summary: 'Every schedule with its next fire times' })
  list() {
    return this.schedules.list();
  }

  @Get(':schedule_id')
  @RequireScopes('tasks:read')
  @ApiOperation({
    summary: 'One schedule, its next fire times and its recent fires (with the runs/tasks they started)',
  })
  get(@Param() p: ScheduleIdParams) {
    return this.schedules.get(p.schedule_id);
  }

  @Patch(':schedule_id')
  @RequireScopes('workflows:run')
  @ApiOperation({ summary: 'Change a schedule; a new cron or time zone counts from now' })
  update(@Param() p: ScheduleIdParams, @Body() dto: UpdateScheduleDto, @CurrentAudit() audit: AuditScope | undefined) {
    return this.schedules.update(p.schedule_id, dto, audit);
  }

  @Post(':schedule_id/pause')
  @RequireScopes('workflows:run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause: no fires until resumed' })
  pause(@Param() p: ScheduleIdParams, @CurrentAudit() audit: AuditScope | undefined) {
    return this.schedules.pause(p.schedule_id, audit);
  }

  @Post(':schedule_id/resume')
  @RequireScopes('workflows:run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume from now (times passed while paused are not caught up)' })
  resume(@Param() p: ScheduleIdParams, @CurrentAudit() audit: AuditScope | undefined) {
    return this.schedules.resume(p.schedule_id, audit);
  }

  @Post(':schedule_id/trigger')
  @RequireScopes('workflows:run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fire now, under the overlap policy; answers the fire (started, queued or skipped)' })
  trigger(@Param() p: ScheduleIdParams, @CurrentAudit() audit: AuditScope | undefined) {
    return this.schedules.trigger(p.schedule_id, audit);
  }

  @Delete(':schedule_id')
  @RequireScopes('workflows:run')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a schedule and its fire records (runs and tasks it started stay)' })
  async delete(@Param() p: ScheduleIdParams, @CurrentAudit() audit: AuditScope | undefined): Promise<void> {
    await this.schedules.delete(p.schedule_id, audit);
  }
}
