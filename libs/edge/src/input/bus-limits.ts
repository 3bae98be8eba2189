import type { LimitsConfig } from '@app/config';
import type { RedisStreamsServerOptions } from '@app/transport';

/** The transport server's share of the limits: envelope depth, dead-letter retention, dead-consumer removal. */
export function busLimitOptions(
  limits: LimitsConfig,
): Pick<RedisStreamsServerOptions, 'maxEnvelopeDepth' | 'deadLetterRetention' | 'deadConsumerIdleMs'> {
  return {
    maxEnvelopeDepth: limits.busJsonMaxDepth,
    deadLetterRetention: { maxLength: limits.deadLetterMaxLength, maxAgeMs: limits.deadLetterMaxAgeHours * 3_600_000 },
    deadConsumerIdleMs: limits.deadConsumerIdleMinutes * 60_000,
  };
}
