import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/persistence';
import { CoalescedConsume } from './coalesced-consume';

export type RateBudget = 'general' | 'heartbeat';

/**
 * Requests per credential per minute, counted in Redis so every replica shares the budget.
 * Heartbeats have a budget of their own so a busy host never starves its own liveness.
 * When Redis is unreachable the limit is not applied (an outage must not lock everybody out).
 * A credential's concurrent requests share one round trip (CoalescedConsume).
 */
@Injectable()
export class RateLimitsService {
  private readonly logger = new Logger('RateLimits');
  private readonly limiters = new Map<RateBudget, CoalescedConsume>();

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(REDIS_CLIENT) redis: Redis) {
    const budgets: [RateBudget, number][] = [
      ['general', config.auth.rateLimitPerMinute],
      ['heartbeat', config.auth.heartbeatRateLimitPerMinute],
    ];
    for (const [budget, points] of budgets) {
      if (points === 0) continue;
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.transportKeyPrefix}:auth:rl:${budget}`,
        points,
        duration: 60,
      });
      this.limiters.set(
        budget,
        new CoalescedConsume(
          (key, n) => limiter.consume(key, n),
          points,
          (error) => this.logger.warn({ err: error }, 'rate limiter unavailable; request allowed'),
        ),
      );
    }
  }

  /** Undefined when allowed; otherwise seconds until the next request may pass. Synchronous when answered locally. */
  consume(budget: RateBudget, credentialId: string): number | undefined | Promise<number | undefined> {
    return this.limiters.get(budget)?.take(credentialId);
  }
}
