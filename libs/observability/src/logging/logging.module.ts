import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TracingFlush } from '../tracing/tracing-flush';
import { AppLogger } from './app-logger';

/** Structured JSON logs (pino); request lines carry the request id (see createHttpApp). */
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
          useFactory: (config: AppConfig) => new AppLogger(service, config.logLevel),
        },
      ],
      exports: [AppLogger],
    };
  }
}
