import { Injectable, Module } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The remote bridge's metrics, per remote agent (the task metrics count its tasks like any agent's). */
@Injectable()
export class RemoteMetrics {
  constructor(
    @InjectMetric('orchestrator_remote_attempts_total') readonly attempts: Counter<'agent_id' | 'outcome'>,
    @InjectMetric('orchestrator_remote_attempt_seconds') readonly seconds: Histogram<'agent_id' | 'outcome'>,
    @InjectMetric('orchestrator_remote_in_flight') readonly inFlight: Gauge<'agent_id'>,
    @InjectMetric('orchestrator_remote_status_updates_total') readonly statusUpdates: Counter<'agent_id' | 'state'>,
  ) {}
}

@Module({
  providers: [
    makeCounterProvider({
      name: 'orchestrator_remote_attempts_total',
      help: 'Attempts run on remote A2A agents by outcome (completed, failed, canceled, lost, skipped)',
      labelNames: ['agent_id', 'outcome'],
    }),
    makeHistogramProvider({
      name: 'orchestrator_remote_attempt_seconds',
      help: 'Duration of an attempt on a remote A2A agent, call to final state',
      labelNames: ['agent_id', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    }),
    makeGaugeProvider({
      name: 'orchestrator_remote_in_flight',
      help: 'Attempts this orchestrator is running on each remote A2A agent now',
      labelNames: ['agent_id'],
    }),
    makeCounterProvider({
      name: 'orchestrator_remote_status_updates_total',
      help: 'Status updates streamed by remote A2A agents',
      labelNames: ['agent_id', 'state'],
    }),
    RemoteMetrics,
  ],
  exports: [RemoteMetrics],
})
export class RemoteMetricsModule {}
