import type { Attributes } from '@opentelemetry/api';
import type { TransportEnvelope } from './envelope';
import type { RedisStreamsContext } from './redis-streams.context';

/** OpenTelemetry messaging semantic conventions for a stream entry being processed. */
export function consumerAttributes(envelope: TransportEnvelope, ctx: RedisStreamsContext): Attributes {
  return {
    'messaging.system': 'redis_streams',
    'messaging.operation.type': 'process',
    'messaging.destination.name': ctx.getAddress(),
    'messaging.message.id': envelope.id,
    'messaging.message.conversation_id': envelope.correlation_id,
    'messaging.consumer.group.name': ctx.getConsumer(),
    'expert_agents.from': envelope.from_agent,
    'expert_agents.delivery_attempt': ctx.getAttempt(),
  };
}
