import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HEALTH_IDENTITY, HealthController, HealthIdentity } from './health.controller';
import { DatabaseHealthIndicator } from './database.health';
import { LifecycleState } from './lifecycle.state';
import { RedisHealthIndicator } from './redis.health';

@Global()
@Module({})
export class HealthModule {
  static forRoot(identity: HealthIdentity = { describe: () => ({}) }): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [
        LifecycleState,
        RedisHealthIndicator,
        DatabaseHealthIndicator,
        { provide: HEALTH_IDENTITY, useValue: identity },
      ],
      exports: [LifecycleState],
    };
  }
}
