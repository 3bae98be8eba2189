export * from './logging/app-logger';
export * from './logging/logging.module';
export * from './metrics/http-metrics.service';
export * from './metrics/metrics.module';
export * from './health/lifecycle.state';
export * from './health/redis.health';
export * from './health/health.controller';
export * from './health/health.module';
