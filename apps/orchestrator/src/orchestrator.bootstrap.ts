import { RedisOptions, Transport } from '@nestjs/microservices';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiKeysService, AuditService, resultsAuthenticator } from '@app/auth';
import { busLimitOptions, createHttpApp } from '@app/edge';
import { AppConfig } from '@app/config';
import { ORCHESTRATOR_RESULTS_ADDRESS, ORCHESTRATOR_RPC_ADDRESS } from '@app/contracts';
import { isDatabaseUnavailable } from '@app/persistence';
import { parseRedisUrl, RedisStreamsServer } from '@app/transport';
import { STREAMS_TRANSPORT } from './bus/streams-transport';
import { BusDeadLetterWebhooks } from './webhooks/bus-dead-letters';
import { OrchestratorAppModule } from './orchestrator-app.module';
import { loadDefinitions } from './workflows/definition/definition-loader';
import { knownAgents } from './workflows/workflow-definitions.provider';

/**
 * Options of Nest's built-in Redis transport from REDIS_URL (one server or a Sentinel set). Without retryAttempts
 * Nest gives up after the first lost connection ("No further reconnection attempts will be made"): retry forever.
 */
export function nestRedisOptions(redisUrl: string): NonNullable<RedisOptions['options']> {
  const forever = { retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 1_000 };
  const target = parseRedisUrl(redisUrl);
  if (target.kind === 'sentinel') {
    // Nest sets its own retryStrategy from retryAttempts/retryDelay.
    const { retryStrategy: _nestSetsIt, ...sentinel } = target.options;
    return { ...sentinel, ...forever };
  }
  if (target.kind === 'cluster') throw new Error('Nest’s Redis transport cannot use a Redis Cluster');
  const url = new URL(redisUrl);
  const db = url.pathname.replace('/', '');
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    ...forever,
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
    docsJson: config.auth.docsJson,
    maxJsonDepth: config.limits.httpJsonMaxDepth,
  });
  // Agent reports must be signed by a host bound to the agent (docs/decisions/0091); RPC carries its own credential.
  const checkResult = resultsAuthenticator(app.get(ApiKeysService), app.get(AuditService));
  const streams = new RedisStreamsServer({
    url: config.redisUrl,
    keyPrefix: config.transportKeyPrefix,
    group: 'orchestrator',
    consumerName: config.orchestrator.instanceId,
    // Results and RPC need PostgreSQL: during an outage they wait, they are never dead-lettered for it.
    isUnavailable: isDatabaseUnavailable,
    addresses: [
      { address: ORCHESTRATOR_RESULTS_ADDRESS, concurrency: config.orchestrator.resultsConcurrency },
      { address: ORCHESTRATOR_RPC_ADDRESS, concurrency: 32 },
    ],
    authenticate: (envelope, address) =>
      config.auth.mode === 'on' && address === ORCHESTRATOR_RESULTS_ADDRESS ? checkResult(envelope) : undefined,
    ...busLimitOptions(config.limits),
  });
  streams.setTransportId(STREAMS_TRANSPORT);
  // Dead letters of these streams live only in Redis: subscribers to dead_letter.created hear of them here.
  const deadLetterWebhooks = app.get(BusDeadLetterWebhooks);
  streams.onDeadLetter((event) => deadLetterWebhooks.record(event));
  app.connectMicroservice({ strategy: streams });
  if (config.orchestrator.nestRedisTransport) {
    app.connectMicroservice({ transport: Transport.REDIS, options: nestRedisOptions(config.redisUrl) });
  }
  await app.startAllMicroservices();
  return app;
}
