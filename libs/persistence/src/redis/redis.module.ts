import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@app/config';
import { createRedis } from '@app/transport';
import { errorMessage, RateLimitedWarn } from '../outage/rate-limited-warn';

/**
 * A shared ioredis connection for fast signals (heartbeat freshness, cancel flags). A registered symbol (Symbol.for):
 * a lib that can not import this one without an import cycle (the health check) names the same token.
 */
export const REDIS_CLIENT = Symbol.for('expert-agents:REDIS_CLIENT');

const warn = new RateLimitedWarn(new Logger('Redis'));

/** A connection from REDIS_URL (one server or a Sentinel set) that reconnects forever and logs outages, rate-limited. */
export function createRedisClient(url: string, name: string): Redis {
  const redis = createRedis(url, {
    connectionName: name,
    // Commands fail fast during an outage instead of queueing without bound.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    // Commands issued in one tick go out in one write: the dispatcher leases slots for a whole batch at once, and a
    // socket write per command cost the orchestrator about 10% of its CPU at 1,200 tasks/s (issue 10 bench notes).
    enableAutoPipelining: true,
  });
  // Without a listener ioredis prints "Unhandled error event" for every failed reconnect.
  redis.on('error', (err: Error) => warn.warn(name, `${name}: ${errorMessage(err)}`));
  return redis;
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedisClient(config.redisUrl, 'expert-agents'),
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
