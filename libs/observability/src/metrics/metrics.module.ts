import { DynamicModule, Global, Module } from '@nestjs/common';
import { makeHistogramProvider, PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HTTP_REQUEST_DURATION, HttpMetricsService } from './http-metrics.service';

/** GET /metrics with Node's default metrics, labelled by service, plus the HTTP duration histogram. */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: MetricsModule,
      imports: [
        PrometheusModule.register({
          path: '/metrics',
          defaultMetrics: { enabled: true },
          defaultLabels: { service },
        }),
      ],
      providers: [
        makeHistogramProvider({
          name: HTTP_REQUEST_DURATION,
          help: 'HTTP request duration in seconds',
          labelNames: ['method', 'route', 'status_code'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        }),
        HttpMetricsService,
      ],
      exports: [HttpMetricsService, PrometheusModule],
    };
  }
}
