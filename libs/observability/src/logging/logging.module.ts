import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, AppConfig } from '@app/config';

const QUIET_PATHS = /^\/(metrics|health)(\/|$|\?)/;

/** Structured JSON logs (pino), each request line carrying the request id. */
@Module({})
export class LoggingModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              level: config.logLevel,
              base: { service, pid: process.pid },
              // The id was chosen by Fastify's genReqId and written onto the raw headers.
              genReqId: (req: IncomingMessage) => String(req.headers['x-request-id'] ?? ''),
              // Every line logged while serving a request carries its id.
              customProps: (req: IncomingMessage) => ({ request_id: req.headers['x-request-id'] }),
              autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? '') },
              serializers: {
                req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
