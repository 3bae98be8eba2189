import { Injectable, Module } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The orchestrator's Prometheus metrics (names from the issue). */
@Injectable()
export class OrchestratorMetrics {
  constructor(
    @InjectMetric('orchestrator_tasks_total') readonly tasksTotal: Counter<'status'>,
    @InjectMetric('orchestrator_dispatch_latency_seconds') readonly dispatchLatency: Histogram,
    @InjectMetric('orchestrator_queue_wait_seconds') readonly queueWait: Histogram,
    @InjectMetric('orchestrator_task_duration_seconds') readonly taskDuration: Histogram<'status'>,
    @InjectMetric('orchestrator_workflow_runs_total') readonly workflowRuns: Counter<'workflow' | 'status'>,
    @InjectMetric('orchestrator_redispatches_total') readonly redispatches: Counter<'reason'>,
    @InjectMetric('orchestrator_tasks_pending') readonly pending: Gauge,
    @InjectMetric('orchestrator_group_commit_batch_size') readonly batchSize: Histogram,
    @InjectMetric('orchestrator_group_commit_seconds') readonly commitSeconds: Histogram,
    @InjectMetric('orchestrator_workflow_model_cost_usd_total') readonly workflowCost: Counter<'workflow'>,
  ) {}

  sinceSeconds(from: Date | string, to: Date | string = new Date()): number {
    return Math.max(0, (new Date(to).getTime() - new Date(from).getTime()) / 1000);
  }
}

@Module({
  providers: [
    makeCounterProvider({
      name: 'orchestrator_tasks_total',
      help: 'Tasks by status reached (pending = accepted)',
      labelNames: ['status'],
    }),
    makeHistogramProvider({
      name: 'orchestrator_dispatch_latency_seconds',
      help: 'Accepted to on the bus',
      buckets: LATENCY_BUCKETS,
    }),
    makeHistogramProvider({
      name: 'orchestrator_queue_wait_seconds',
      help: 'Accepted to started by an agent',
      buckets: LATENCY_BUCKETS,
    }),
    makeHistogramProvider({
      name: 'orchestrator_task_duration_seconds',
      help: 'Accepted to finished',
      labelNames: ['status'],
      buckets: LATENCY_BUCKETS,
    }),
    makeCounterProvider({
      name: 'orchestrator_workflow_runs_total',
      help: 'Workflow runs by final or initial status',
      labelNames: ['workflow', 'status'],
    }),
    makeCounterProvider({
      name: 'orchestrator_workflow_model_cost_usd_total',
      help: 'USD the model calls of workflow tasks cost (as the hosts priced them), by workflow',
      labelNames: ['workflow'],
    }),
    makeCounterProvider({
      name: 'orchestrator_redispatches_total',
      help: 'Attempts sent again, by reason',
      labelNames: ['reason'],
    }),
    makeGaugeProvider({ name: 'orchestrator_tasks_pending', help: 'Tasks accepted and not yet started' }),
    makeHistogramProvider({
      name: 'orchestrator_group_commit_batch_size',
      help: 'State changes written per commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    }),
    makeHistogramProvider({
      name: 'orchestrator_group_commit_seconds',
      help: 'Time to write and commit one batch',
      buckets: LATENCY_BUCKETS,
    }),
    OrchestratorMetrics,
  ],
  exports: [OrchestratorMetrics],
})
export class OrchestratorMetricsModule {}
