import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { AppConfig, ConfigModule } from '@app/config';
import { HealthModule, LoggingModule, MetricsModule } from '@app/observability';
import { DatabaseModule, RedisModule } from '@app/persistence';
import { AgentsModule } from './agents/agents.module';
import { RegistryCorsModule } from './cors/registry-cors.module';
import { CardsModule } from './cards/cards.module';
import { EventsModule } from './events/events.module';
import { HeartbeatsModule } from './heartbeats/heartbeats.module';
import { LivenessModule } from './liveness/liveness.module';
import { RemoteModule } from './remote/remote.module';

@Module({})
export class RegistryAppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: RegistryAppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('registry'),
        MetricsModule.forRoot('registry'),
        DatabaseModule,
        RedisModule,
        AuthModule.forRoot({ service: 'registry' }),
        HealthModule.forRoot({ describe: () => ({ service: 'registry' }) }),
        EventsModule,
        AgentsModule,
        HeartbeatsModule,
        LivenessModule,
        RegistryCorsModule,
        CardsModule,
        RemoteModule,
      ],
    };
  }
}
