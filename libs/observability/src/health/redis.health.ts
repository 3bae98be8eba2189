import { Inject, Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';

/**
 * @app/persistence's REDIS_CLIENT (the same registered symbol). Importing it would close an import cycle
 * (persistence → transport → observability → persistence) that leaves the token undefined when the decorator below
 * runs, depending on which lib a process loads first.
 */
export const HEALTH_REDIS_CLIENT = Symbol.for('expert-agents:REDIS_CLIENT');

/** Redis readiness; like the database check, the body names the dependency, never the client's error message. */
@Injectable()
export class RedisHealthIndicator {
  private readonly log = new Logger('Health');

  constructor(
    @Inject(HEALTH_REDIS_CLIENT) private readonly redis: Redis,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis', timeoutMs = 1_000) {
    const check = this.indicator.check(key);
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([this.redis.ping(), timeout]).finally(() => clearTimeout(timer));
      return check.up();
    } catch (error) {
      this.log.debug(`${key} down: ${error instanceof Error ? error.message : String(error)}`);
      return check.down({ message: `${key} unreachable` });
    }
  }
}
