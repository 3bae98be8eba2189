import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@app/config';

/**
 * Lets the operator console (served by the orchestrator, another origin) read the registry and
 * follow its SSE stream from the browser: only the origins of REGISTRY_CORS_ORIGINS, nothing when
 * the list is empty (docs/decisions/0111-console-reaches-the-registry-through-cors.md).
 */
@Module({})
export class RegistryCorsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const origins = this.config.console.registryCorsOrigins;
    if (origins.length === 0) return;
    // Nest's Fastify adapter runs this hook before routing, so preflights and SSE replies carry the headers too.
    this.adapterHost.httpAdapter.enableCors({
      origin: origins,
      methods: ['GET', 'HEAD', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'last-event-id'],
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    });
  }
}
