import { DynamicModule, INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppLogger, HttpMetricsService, logRequest, registerHttpTracing } from '@app/observability';
import { DEFAULT_MAX_INPUT_DEPTH } from '../input/input-inspection';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { clientErrorHandler, frameworkErrorHandler, registerJsonBodyParser } from './hostile-requests';
import { genRequestId, REQUEST_ID_HEADER } from './request-id';
import { createValidationPipe } from './validation.pipe';

export interface HttpAppOptions {
  title: string;
  description: string;
  bodyLimitBytes: number;
  /** Serve the OpenAPI JSON at /docs/json (AUTH_DOCS_JSON; on unless turned off). */
  docsJson?: boolean;
  /** Deepest JSON body accepted (HTTP_JSON_MAX_DEPTH); checked on the raw bytes before parsing. */
  maxJsonDepth?: number;
}

/**
 * Builds a Fastify-backed Nest app with everything every app shares: request ids, JSON logs (a
 * line per request with its id), validation, the uniform error body (also for Fastify's own
 * parse errors), HTTP metrics and Swagger UI at /docs. The caller listens.
 */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    genReqId: genRequestId,
    requestIdHeader: false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });
  // bodyParser: false — our JSON parser (depth-limited) replaces the one Nest would register at init.
  // abortOnError: false — a provider that fails (e.g. a dependency gone during start-up) throws to the caller, which
  // waits and starts over, instead of Nest exiting the process. bodyParser: false — our JSON parser checks depth first.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  registerHttpTracing(fastify);
  registerJsonBodyParser(fastify, {
    bodyLimit: options.bodyLimitBytes,
    maxDepth: options.maxJsonDepth ?? DEFAULT_MAX_INPUT_DEPTH,
  });
  // Fastify's own errors (bad JSON, body too large) reach AllExceptionsFilter through Nest's router.
  // Callback-style hooks: an async hook costs a promise per request on the hot path.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.header(REQUEST_ID_HEADER, String(request.id));
    done(null, payload);
  });
  const metrics = app.get(HttpMetricsService, { strict: false });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    logRequest(logger, request, reply.statusCode, reply.elapsedTime);
    done();
  });

  setupSwagger(app, options);
  return app;
}

function setupSwagger(app: INestApplication, options: HttpAppOptions): void {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion('1.0')
    // The Authorize button: an API key or an OIDC token, sent as `Authorization: Bearer ...`.
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (ea_...) or OIDC access token' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/json',
    ...(options.docsJson === false ? { raw: false } : {}),
  });
}

/**
 * Ensures SIGTERM never hangs a process: Nest drains through its shutdown hooks, and if that
 * takes longer than the grace period the process exits anyway.
 */
export function enforceShutdownDeadline(graceSeconds: number): void {
  process.once('SIGTERM', () => {
    setTimeout(() => {
      new Logger('Shutdown').error(`drain exceeded ${graceSeconds}s; exiting`);
      process.exit(1);
    }, graceSeconds * 1000).unref();
  });
}
