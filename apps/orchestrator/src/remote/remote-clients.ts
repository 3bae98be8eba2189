import { Injectable } from '@nestjs/common';
import type { AgentCard } from '@a2a-js/sdk';
import { Client, ClientFactory, JsonRpcTransportFactory, RestTransportFactory } from '@a2a-js/sdk/client';
import type { RemoteAgent } from './remote-directory';

/** One SDK client per remote agent and endpoint, made from what the registry stored (no card fetch here). */
@Injectable()
export class RemoteClients {
  private readonly clients = new Map<string, { key: string; client: Promise<Client> }>();

  get(agent: RemoteAgent): Promise<Client> {
    const e = agent.remote.endpoint;
    const key = `${e.protocolBinding} ${e.protocolVersion} ${e.url} ${e.tenant}`;
    const cached = this.clients.get(agent.agent_id);
    if (cached?.key === key) return cached.client;
    const factory = new ClientFactory({
      transports: [new JsonRpcTransportFactory(), new RestTransportFactory()],
      preferredTransports: [e.protocolBinding],
    });
    const client = factory.createFromAgentCard(cardOf(agent));
    // A failed creation is not cached: the next attempt tries again.
    client.catch(() => this.clients.delete(agent.agent_id));
    this.clients.set(agent.agent_id, { key, client });
    return client;
  }

  forget(agentId: string): void {
    this.clients.delete(agentId);
  }
}

function cardOf(agent: RemoteAgent): AgentCard {
  const r = agent.remote;
  return {
    name: r.card_name,
    description: '',
    version: r.card_version,
    supportedInterfaces: [r.endpoint],
    provider: undefined,
    capabilities: { streaming: r.streaming, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: [],
    defaultOutputModes: [],
    skills: [],
    signatures: [],
  };
}
