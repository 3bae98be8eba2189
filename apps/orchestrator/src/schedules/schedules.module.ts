import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { ScheduleFirer } from './schedule-firer';
import { ScheduleMetricsModule } from './schedule.metrics';
import { SchedulerService } from './scheduler.service';
import { SchedulesController } from './schedules.controller';
import { SchedulesRepository } from './schedules.repository';
import { SchedulesService } from './schedules.service';

/** Cron schedules that start workflow runs or tasks, fired exactly once across replicas. */
@Module({
  imports: [TasksModule, WorkflowsModule, ScheduleMetricsModule],
  controllers: [SchedulesController],
  providers: [SchedulesRepository, ScheduleFirer, SchedulerService, SchedulesService],
})
export class SchedulesModule {}
