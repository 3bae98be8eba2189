import { AuthModule } from '@app/auth';
import { DynamicModule, Module } from '@nestjs/common';
import { AgentDefinition } from '@app/agents';
import { AppConfig, ConfigModule } from '@app/config';
import { HealthModule, LoggingModule, MetricsModule } from '@app/observability';
import { DatabaseModule, RedisModule } from '@app/persistence';
import { DrainService } from './hosting/drain.service';
import { HOSTED_DEFINITIONS, HostedAgents } from './hosting/hosted-agents';
import { modelProviderFactory } from './model-limits/model-provider.factory';
import { createStreamServer, STREAM_SERVER } from './hosting/stream-server.provider';
import { AgentMessagesController } from './messaging/agent-messages.controller';
import { busClientProvider } from './messaging/bus-client.provider';
import { TransportMessenger } from './messaging/transport-messenger';
import { AGENT_METRIC_PROVIDERS, AgentMetrics } from './metrics/agent-metrics';
import { RegistrationService } from './registration/registration.service';
import { SlotCapacityReporter } from './registration/slot-capacity.reporter';
import { registryClientProvider } from './registration/registry-client.provider';
import { AgentStateRepository } from './state/agent-state.repository';
import { AgentStateService } from './state/agent-state.service';
import { StatusController } from './status/status.controller';
import { CancelSignals } from '@app/persistence';
import { HttpTasksService } from './tasks/http-tasks.service';
import { OrchestratorReporter } from './tasks/orchestrator-reporter';
import { DeadLetterReporter } from './tasks/dead-letter-reporter';
import { TaskExecutionService } from './tasks/task-execution.service';
import { TaskRunner } from './tasks/task-runner.service';
import { TaskStreamController } from './tasks/task-stream.controller';
import { TasksController } from './tasks/tasks.controller';

/** Health identity: the hosted agent ids, plus `agent_id` when there is exactly one (the seed's runner shape). */
function healthIdentity(definitions: readonly AgentDefinition[]) {
  const ids = definitions.map((d) => d.agent_id);
  return { describe: () => (ids.length === 1 ? { agent_id: ids[0], agent_ids: ids } : { agent_ids: ids }) };
}

@Module({})
export class AgentHostAppModule {
  /** `definitions` come from AGENT_IDS (selectAgents), resolved before the module is built. */
  static forRoot(config: AppConfig, definitions: readonly AgentDefinition[]): DynamicModule {
    return {
      module: AgentHostAppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('agent-host'),
        MetricsModule.forRoot('agent-host'),
        DatabaseModule,
        RedisModule,
        AuthModule.forRoot({ service: 'agent-host' }),
        HealthModule.forRoot(healthIdentity(definitions)),
      ],
      controllers: [TasksController, StatusController, TaskStreamController, AgentMessagesController],
      providers: [
        { provide: HOSTED_DEFINITIONS, useValue: definitions },
        modelProviderFactory,
        { provide: STREAM_SERVER, useValue: createStreamServer(config, definitions) },
        busClientProvider,
        ...AGENT_METRIC_PROVIDERS,
        AgentMetrics,
        TransportMessenger,
        HostedAgents,
        registryClientProvider,
        RegistrationService,
        SlotCapacityReporter,
        AgentStateRepository,
        AgentStateService,
        CancelSignals,
        DeadLetterReporter,
        TaskRunner,
        OrchestratorReporter,
        TaskExecutionService,
        HttpTasksService,
        DrainService,
      ],
    };
  }
}
