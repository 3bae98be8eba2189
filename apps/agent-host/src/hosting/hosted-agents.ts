import { Inject, Injectable, Logger } from '@nestjs/common';
import { Agent, AgentDefinition, ModelProvider } from '@app/agents';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AgentMetrics } from '../metrics/agent-metrics';
import { TransportMessenger } from '../messaging/transport-messenger';
import { TimedModelProvider } from './timed-model-provider';

/** The definitions AGENT_IDS selected, fixed before the app module is built. */
export const HOSTED_DEFINITIONS = Symbol('HOSTED_DEFINITIONS');
/** The model provider MODEL_PROVIDER chose, shared by every hosted agent. */
export const MODEL_PROVIDER = Symbol('MODEL_PROVIDER');

export interface HostedAgent {
  definition: AgentDefinition;
  runtime: Agent;
}

/** The runtime agents this process hosts, by id. */
@Injectable()
export class HostedAgents {
  private readonly byId = new Map<string, HostedAgent>();

  constructor(
    @Inject(HOSTED_DEFINITIONS) definitions: readonly AgentDefinition[],
    @Inject(MODEL_PROVIDER) provider: ModelProvider,
    @Inject(APP_CONFIG) config: AppConfig,
    messenger: TransportMessenger,
    metrics: AgentMetrics,
  ) {
    for (const definition of definitions) {
      const id = definition.agent_id;
      const runtime = new Agent(definition, new TimedModelProvider(provider, id, metrics), {
        messenger,
        askTimeoutMs: config.agentAskTimeoutSeconds * 1000,
        maxConsultationsPerTask: config.limits.maxConsultationsPerTask,
        logger: new Logger(`Agent ${id}`),
      });
      this.byId.set(id, { definition, runtime });
      metrics.initAgent(id);
    }
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  list(): HostedAgent[] {
    return [...this.byId.values()];
  }

  has(agentId: string): boolean {
    return this.byId.has(agentId);
  }

  /** 404 for an agent this process does not host. */
  get(agentId: string): HostedAgent {
    const hosted = this.byId.get(agentId);
    if (!hosted) {
      throw new DomainException(
        'not_found',
        'AGENT_NOT_HOSTED',
        `agent ${agentId} is not hosted here (hosted: ${this.ids().join(', ')})`,
      );
    }
    return hosted;
  }

  load(agentId: string): { current_tasks: number; max_tasks: number } {
    const { runtime, definition } = this.get(agentId);
    return { current_tasks: runtime.activeTaskCount, max_tasks: definition.max_concurrent_tasks };
  }
}
