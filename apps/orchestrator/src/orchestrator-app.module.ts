import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { AppConfig, ConfigModule } from '@app/config';
import { HealthModule, LoggingModule, MetricsModule } from '@app/observability';
import { DatabaseModule, RedisModule } from '@app/persistence';
import { A2aModule } from './a2a/a2a.module';
import { BusAdminModule } from './bus-admin/bus-admin.module';
import { RetentionModule } from './retention/retention.service';
import { ConsoleModule } from './console/console.module';
import { RemoteModule } from './remote/remote.module';
import { RpcModule } from './rpc/rpc.module';
import { SchedulesModule } from './schedules/schedules.module';
import { TasksModule } from './tasks/tasks.module';
import { UsageModule } from './usage/usage.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WorkflowsModule } from './workflows/workflows.module';

@Module({})
export class OrchestratorAppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: OrchestratorAppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('orchestrator'),
        MetricsModule.forRoot('orchestrator'),
        DatabaseModule,
        RedisModule,
        AuthModule.forRoot({ service: 'orchestrator' }),
        HealthModule.forRoot({
          describe: () => ({ service: 'orchestrator', instance: config.orchestrator.instanceId }),
        }),
        TasksModule,
        WorkflowsModule,
        RpcModule,
        BusAdminModule,
        SchedulesModule,
        RetentionModule,
        ConsoleModule,
        UsageModule,
        A2aModule,
        WebhooksModule,
        RemoteModule,
      ],
    };
  }
}
