import { Transport } from '@nestjs/microservices';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { busLimitOptions, createHttpApp } from '@app/common';
import { AppConfig } from '@app/config';
import { ORCHESTRATOR_RESULTS_ADDRESS, ORCHESTRATOR_RPC_ADDRESS } from '@app/contracts';
import { RedisStreamsServer } from '@app/transport';
import { STREAMS_TRANSPORT } from './bus/streams-transport';
import { OrchestratorAppModule } from './orchestrator-app.module';
import { loadDefinitions } from './workflows/definition/definition-loader';
import { knownAgents } from './workflows/workflow-definitions.provider';

/** Options of Nest's built-in Redis transport from REDIS_URL. */
export function nestRedisOptions(redisUrl: string) {
  const url = new URL(redisUrl);
  const db = url.pathname.replace('/', '');
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * The orchestrator as one hybrid app: HTTP (Swagger at /docs), the Redis Streams server for
 * agent results and RPC, and, unless disabled, Nest's Redis transport for stock clients.
 * The caller listens on HTTP.
 */
export async function createOrchestratorApp(config: AppConfig): Promise<NestFastifyApplication> {
  // Checked before Nest starts, so a bad workflow file stops the process with its name and problems
  // (Nest itself would exit on a provider error before any log is flushed).
  loadDefinitions(config.orchestrator.workflowsDir, knownAgents());
  const app = await createHttpApp(OrchestratorAppModule.forRoot(config), {
    title: 'expert-agents Orchestrator (PM-001)',
    description:
      'Durable tasks, routing to agents, workflows (mcq_generation, feature_delivery, project_planning) and their history.',
    bodyLimitBytes: config.httpBodyLimitBytes,
    maxJsonDepth: config.limits.httpJsonMaxDepth,
  });
  const streams = new RedisStreamsServer({
    url: config.redisUrl,
    keyPrefix: config.transportKeyPrefix,
    group: 'orchestrator',
    consumerName: config.orchestrator.instanceId,
    addresses: [
      { address: ORCHESTRATOR_RESULTS_ADDRESS, concurrency: config.orchestrator.resultsConcurrency },
      { address: ORCHESTRATOR_RPC_ADDRESS, concurrency: 32 },
    ],
    ...busLimitOptions(config.limits),
  });
  streams.setTransportId(STREAMS_TRANSPORT);
  app.connectMicroservice({ strategy: streams });
  if (config.orchestrator.nestRedisTransport) {
    app.connectMicroservice({ transport: Transport.REDIS, options: nestRedisOptions(config.redisUrl) });
  }
  await app.startAllMicroservices();
  return app;
}
