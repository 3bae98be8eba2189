import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/persistence';
import { DeadLetterEntry, StreamStats, TransportAdmin } from '@app/transport';

/** Longest one "replay all" request works before answering `complete: false` (call again for the rest). */
const REPLAY_TIME_LIMIT_MS = 10_000;

/** The operators' view of the bus: stream stats, and the dead letters an alert points at. */
@Injectable()
export class BusAdminService {
  private readonly admin: TransportAdmin;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.admin = new TransportAdmin(redis, { keyPrefix: config.transportKeyPrefix });
  }

  stats(address: string): Promise<StreamStats> {
    return this.admin.stats(address);
  }

  async deadLetters(address: string, count: number, after?: string) {
    const entries: DeadLetterEntry[] = await this.admin.listDeadLetters(address, { count, after });
    return {
      address,
      dead_letters: entries,
      next_after: entries.length === count ? entries[entries.length - 1].id : null,
    };
  }

  /**
   * Replays the named entries (or all that exist now): each goes back on its stream with a fresh attempt count.
   * "All" stops after REPLAY_TIME_LIMIT_MS with `complete: false` so one request never runs unbounded.
   */
  async replay(address: string, ids?: string[]): Promise<{ replayed: number; missing: string[]; complete: boolean }> {
    if (!ids) {
      const result = await this.admin.replaySnapshot(address, { timeLimitMs: REPLAY_TIME_LIMIT_MS });
      return { ...result, missing: [] };
    }
    const missing: string[] = [];
    let replayed = 0;
    for (const id of ids) {
      if ((await this.admin.replay(address, id)) === null) missing.push(id);
      else replayed += 1;
    }
    if (replayed === 0 && missing.length > 0) {
      throw new DomainException(
        'not_found',
        'DEAD_LETTER_NOT_FOUND',
        `no dead letter ${missing.join(', ')} on ${address}`,
      );
    }
    return { replayed, missing, complete: true };
  }

  async purge(address: string, ids?: string[]): Promise<{ purged: number }> {
    return { purged: await this.admin.purge(address, ids) };
  }
}
