import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bindHost } from '@app/auth';
import { createHttpApp } from '@app/edge';
import { AppConfig } from '@app/config';
import { RedisStreamsServer } from '@app/transport';
import { AgentHostAppModule } from './agent-host-app.module';
import { selectAgents } from './hosting/agent-selection';
import { STREAM_SERVER } from './hosting/stream-server.provider';
import { RegistrationService } from './registration/registration.service';
import { AgentStateService } from './state/agent-state.service';

export interface StartedAgentHost {
  app: NestFastifyApplication;
  /** The port actually listened on (AGENT_HOST_PORT, or the random one when it is 0). */
  port: number;
}

/**
 * Builds and starts an agent host: AGENT_IDS checked against the catalog (UnknownAgentError names what is unknown,
 * before anything connects), state restored, HTTP listening, then the agents' streams consumed and registration
 * started in the background. `port` overrides AGENT_HOST_PORT (tests pass 0).
 */
export async function startAgentHost(
  config: AppConfig,
  options: { port?: number; host?: string } = {},
): Promise<StartedAgentHost> {
  const definitions = selectAgents(config.agentIds);
  const app = await createHttpApp(AgentHostAppModule.forRoot(config, definitions), {
    title: 'expert-agents Agent Host',
    description: 'Runs catalog agents: tasks from their streams or over HTTP, status, health and metrics.',
    bodyLimitBytes: config.httpBodyLimitBytes,
    docsJson: config.auth.docsJson,
    maxJsonDepth: config.limits.httpJsonMaxDepth,
  });
  try {
    app.connectMicroservice({ strategy: app.get<RedisStreamsServer>(STREAM_SERVER) });
    await app.init();
    // Counters restored before any task (HTTP or stream) can run.
    await app.get(AgentStateService).restoreAll();
    await app.listen({ port: options.port ?? config.agentHostPort, host: options.host ?? bindHost(config) });
    const address = app.getHttpServer().address();
    const port =
      typeof address === 'object' && address !== null ? address.port : (options.port ?? config.agentHostPort);
    await app.startAllMicroservices();
    app.get(RegistrationService).start(port);
    new Logger('AgentHost').log(`hosting ${definitions.map((d) => d.agent_id).join(', ')} on port ${port}`);
    return { app, port };
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
}
