import { AgentDefinition } from '@app/agents';
import { busLimitOptions } from '@app/edge';
import { AppConfig } from '@app/config';
import { RedisStreamsServer } from '@app/transport';

/** The transport server consuming the hosted agents' streams; bootstrap connects it, the drain service stops it. */
export const STREAM_SERVER = Symbol('STREAM_SERVER');

export function createStreamServer(config: AppConfig, definitions: readonly AgentDefinition[]): RedisStreamsServer {
  return new RedisStreamsServer({
    url: config.redisUrl,
    keyPrefix: config.transportKeyPrefix,
    consumerName: config.agentHostInstanceId,
    addresses: definitions.map((d) => ({ address: d.agent_id, concurrency: d.max_concurrent_tasks })),
    broadcast: true,
    ...busLimitOptions(config.limits),
  });
}
