import { Injectable, Module } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';

/** Deliveries by final outcome, attempts by result, attempt durations, and the outbox backlog (pending, dead). */
@Injectable()
export class WebhookMetrics {
  constructor(
    @InjectMetric('orchestrator_webhook_deliveries_total') readonly deliveries: Counter<'outcome'>,
    @InjectMetric('orchestrator_webhook_attempts_total') readonly attempts: Counter<'result'>,
    @InjectMetric('orchestrator_webhook_attempt_seconds') readonly attemptSeconds: Histogram,
    @InjectMetric('orchestrator_webhook_deliveries_pending') readonly pending: Gauge,
    @InjectMetric('orchestrator_webhook_deliveries_dead') readonly dead: Gauge,
  ) {}
}

@Module({
  providers: [
    makeCounterProvider({
      name: 'orchestrator_webhook_deliveries_total',
      help: 'Webhook deliveries that reached a final outcome (delivered, dead)',
      labelNames: ['outcome'],
    }),
    makeCounterProvider({
      name: 'orchestrator_webhook_attempts_total',
      help: 'Webhook delivery attempts by result (success, http_error, network_error, refused)',
      labelNames: ['result'],
    }),
    makeHistogramProvider({
      name: 'orchestrator_webhook_attempt_seconds',
      help: 'Time of one webhook delivery request',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    makeGaugeProvider({
      name: 'orchestrator_webhook_deliveries_pending',
      help: 'Webhook deliveries waiting for their first or next attempt (all replicas)',
    }),
    makeGaugeProvider({
      name: 'orchestrator_webhook_deliveries_dead',
      help: 'Webhook deliveries dead after their retry window, waiting for an operator to replay them',
    }),
    WebhookMetrics,
  ],
  exports: [WebhookMetrics],
})
export class WebhookMetricsModule {}
