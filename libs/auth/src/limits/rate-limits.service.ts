import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/persistence';

export type RateBudget = 'general' | 'heartbeat';

/**
 * Requests per credential per minute, counted in Redis so every replica shares the budget.
 * Heartbeats have a budget of their own so a busy host never starves its own liveness.
 * When Redis is unreachable the limit is not applied (an outage must not lock everybody out).
 */
@Injectable()
export class RateLimitsService {
  private readonly logger = new Logger('RateLimits');
  private readonly limiters = new Map<RateBudget, RateLimiterRedis>();

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(REDIS_CLIENT) redis: Redis) {
    const budgets: [RateBudget, number][] = [
      ['general', config.auth.rateLimitPerMinute],
      ['heartbeat', config.auth.heartbeatRateLimitPerMinute],
    ];
    for (const [budget, points] of budgets) {
      if (points === 0) continue;
      this.limiters.set(
        budget,
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${config.transportKeyPrefix}:auth:rl:${budget}`,
          points,
          duration: 60,
        }),
      );
    }
  }

  /** Undefined when allowed; otherwise seconds until the next request may pass. */
  async consume(budget: RateBudget, credentialId: string): Promise<number | undefined> {
    const limiter = this.limiters.get(budget);
    if (!limiter) return undefined;
    try {
      await limiter.consume(credentialId);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      this.logger.warn({ err: rejection }, 'rate limiter unavailable; request allowed');
      return undefined;
    }
  }
}
