import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@app/config';
import { HealthModule, LoggingModule, MetricsModule } from '@app/observability';
import { DatabaseModule, RedisModule } from '@app/persistence';

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
        HealthModule.forRoot({ describe: () => ({ service: 'registry' }) }),
      ],
    };
  }
}
