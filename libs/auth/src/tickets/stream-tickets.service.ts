import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/persistence';
import type { Principal } from '../principal';

/**
 * Short-lived tickets for browser EventSource (which cannot send headers): random, kept in
 * Redis (so any replica accepts them) for AUTH_STREAM_TICKET_TTL_SECONDS, valid only on SSE
 * routes. A leaked ticket in a log is useless after its TTL and never opens a mutation.
 */
@Injectable()
export class StreamTicketsService {
  private readonly prefix: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {
    this.prefix = `${config.transportKeyPrefix}:auth:ticket:`;
  }

  async issue(principal: Principal): Promise<{ ticket: string; expires_at: string }> {
    const ticket = `st_${randomBytes(24).toString('base64url')}`;
    const ttl = this.config.auth.streamTicketTtlSeconds;
    await this.redis.set(this.prefix + ticket, JSON.stringify(principal), 'EX', ttl);
    return { ticket, expires_at: new Date(Date.now() + ttl * 1000).toISOString() };
  }

  async redeem(ticket: string): Promise<Principal | undefined> {
    if (!/^st_[A-Za-z0-9_-]{32}$/.test(ticket)) return undefined;
    const value = await this.redis.get(this.prefix + ticket);
    return value === null ? undefined : (JSON.parse(value) as Principal);
  }
}
