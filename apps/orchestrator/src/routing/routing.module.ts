import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RegistryClient } from '@app/contracts';
import { injectTraceHeaders } from '@app/observability';
import { SlotLeases } from '../capacity/slot-leases.service';
import { RoutingService } from './routing.service';

/** Discovery waits this long for the registry before the tasks of a route wait for the next try. */
const REGISTRY_TIMEOUT_MS = 3_000;

@Module({
  providers: [
    SlotLeases,
    RoutingService,
    {
      provide: RegistryClient,
      inject: [APP_CONFIG],
      // A key with registry:read (undefined with auth disabled).
      useFactory: (config: AppConfig) =>
        new RegistryClient({
          baseUrl: config.registryUrl,
          credential: config.auth.registryApiKey,
          timeoutMs: REGISTRY_TIMEOUT_MS,
          decorateHeaders: injectTraceHeaders,
        }),
    },
  ],
  exports: [RoutingService, SlotLeases],
})
export class RoutingModule {}
