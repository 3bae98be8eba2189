import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TracingFlush } from '../tracing/tracing-flush';
import { AppLogger } from './app-logger';

/** Structured JSON logs (pino), or colored lines at a terminal (LOG_FORMAT); request lines carry the request id (see createHttpApp). */
@Module({})
export class LoggingModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: LoggingModule,
      providers: [
        TracingFlush,
        {
          provide: AppLogger,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => new AppLogger(service, config.logLevel, undefined, config.logFormat),
        },
      ],
      exports: [AppLogger],
    };
  }
}
