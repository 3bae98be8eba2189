import { Injectable, Module } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';

/** Fires by outcome (started, queued, skipped, failed) and fires missed while no orchestrator ran. */
@Injectable()
export class ScheduleMetrics {
  constructor(
    @InjectMetric('orchestrator_schedule_fires_total') readonly fires: Counter<'schedule' | 'outcome'>,
    @InjectMetric('orchestrator_schedule_missed_total') readonly missed: Counter<'schedule'>,
  ) {}
}

@Module({
  providers: [
    makeCounterProvider({
      name: 'orchestrator_schedule_fires_total',
      help: 'Schedule fires by outcome (started, queued, skipped, failed)',
      labelNames: ['schedule', 'outcome'],
    }),
    makeCounterProvider({
      name: 'orchestrator_schedule_missed_total',
      help: 'Schedule fire times that passed without a fire (catch_up none, or beyond catch_up_max)',
      labelNames: ['schedule'],
    }),
    ScheduleMetrics,
  ],
  exports: [ScheduleMetrics],
})
export class ScheduleMetricsModule {}
