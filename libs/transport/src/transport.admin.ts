import Redis from 'ioredis';
import { decodeDeadLetter, DeadLetterEntry, ENVELOPE_FIELD, fieldsToRecord } from './entry-codec';
import { TransportKeys } from './keys';

export interface StreamGroupStats {
  name: string;
  consumers: number;
  /** Delivered but not acknowledged. */
  pending: number;
  /** Entries not yet delivered to the group (null when Redis cannot tell, e.g. after a trim). */
  lag: number | null;
  last_delivered_id: string;
}

export interface StreamStats {
  address: string;
  length: number;
  dead_letters: number;
  groups: StreamGroupStats[];
}

type RawEntry = [string, string[]];

export interface ReplayAllResult {
  replayed: number;
  /** False when the time limit stopped it before the end of the snapshot. */
  complete: boolean;
}

/**
 * Operations on the bus for dashboards and operators: dead-letter list/replay/purge and stream stats.
 * A plain class over an ioredis connection the caller owns: `new TransportAdmin(redis, { keyPrefix })`.
 */
export class TransportAdmin {
  private readonly keys: TransportKeys;

  constructor(
    private readonly redis: Redis,
    options: { keyPrefix?: string } = {},
  ) {
    this.keys = new TransportKeys(options.keyPrefix ?? 'ea');
  }

  /** Oldest first; page with `after` (the last id of the previous page). */
  async listDeadLetters(address: string, options: { count?: number; after?: string } = {}): Promise<DeadLetterEntry[]> {
    const start = options.after ? `(${options.after}` : '-';
    const rows = (await this.redis.xrange(
      this.keys.deadLetter(address),
      start,
      '+',
      'COUNT',
      options.count ?? 100,
    )) as RawEntry[];
    return rows.map(([id, fields]) => decodeDeadLetter(id, fieldsToRecord(fields)));
  }

  /**
   * Put one dead-lettered entry back on its stream with a fresh attempt count and remove it from the dead-letter
   * stream, atomically (both keys share a hash slot). Returns the new stream entry id, or null if no such entry.
   */
  async replay(address: string, deadLetterId: string): Promise<string | null> {
    const dlq = this.keys.deadLetter(address);
    const rows = (await this.redis.xrange(dlq, deadLetterId, deadLetterId)) as RawEntry[];
    if (rows.length === 0) return null;
    const entry = decodeDeadLetter(rows[0][0], fieldsToRecord(rows[0][1]));
    const fields = this.freshFields(entry.original);
    const result = await this.redis
      .multi()
      .xadd(this.keys.stream(address), '*', ...fields)
      .xdel(dlq, deadLetterId)
      .exec();
    const [err, newId] = result?.[0] ?? [new Error('replay transaction aborted'), null];
    if (err) throw err;
    return newId as string;
  }

  /**
   * Replay the dead letters that exist when the call starts (a snapshot up to the newest id): entries that
   * fail again are dead-lettered with newer ids and are not replayed a second time, so this terminates.
   * Stops early at `timeLimitMs` with `complete: false`; calling again continues with what is left.
   */
  async replayAll(address: string): Promise<number> {
    return (await this.replaySnapshot(address)).replayed;
  }

  /** replayAll with a time limit; says whether it reached the end of its snapshot. */
  async replaySnapshot(address: string, options: { timeLimitMs?: number } = {}): Promise<ReplayAllResult> {
    const dlq = this.keys.deadLetter(address);
    const deadline = Date.now() + (options.timeLimitMs ?? Number.POSITIVE_INFINITY);
    const newest = (await this.redis.xrevrange(dlq, '+', '-', 'COUNT', 1)) as RawEntry[];
    if (newest.length === 0) return { replayed: 0, complete: true };
    const last = newest[0][0];
    let replayed = 0;
    let cursor = '-';
    for (;;) {
      const page = (await this.redis.xrange(dlq, cursor, last, 'COUNT', 100)) as RawEntry[];
      if (page.length === 0) return { replayed, complete: true };
      for (const [id] of page) {
        // >=: a zero limit replays nothing, also when the loop starts within the millisecond it was set (a CI flake).
        if (Date.now() >= deadline) return { replayed, complete: false };
        if ((await this.replay(address, id)) !== null) replayed += 1;
      }
      cursor = `(${page[page.length - 1][0]}`;
    }
  }

  /** Delete some (ids) or all dead-lettered entries of an address; returns how many were removed. */
  async purge(address: string, ids?: string[]): Promise<number> {
    const dlq = this.keys.deadLetter(address);
    if (ids) return ids.length === 0 ? 0 : this.redis.xdel(dlq, ...ids);
    const length = await this.redis.xlen(dlq);
    await this.redis.del(dlq);
    return length;
  }

  async stats(address: string): Promise<StreamStats> {
    const key = this.keys.stream(address);
    const [length, deadLetters] = await Promise.all([
      this.redis.xlen(key),
      this.redis.xlen(this.keys.deadLetter(address)),
    ]);
    let groups: StreamGroupStats[] = [];
    if (length > 0 || (await this.redis.exists(key)) === 1) {
      const raw = (await this.redis.xinfo('GROUPS', key)) as unknown[][];
      groups = raw.map((g) => {
        const r = fieldsToRecord(g.map((v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '')));
        return {
          name: r.name,
          consumers: Number(r.consumers),
          pending: Number(r.pending),
          lag: r.lag === '' || r.lag === undefined ? null : Number(r.lag),
          last_delivered_id: r['last-delivered-id'],
        };
      });
    }
    return { address, length, dead_letters: deadLetters, groups };
  }

  /** The original fields with attempt reset to 1 when the envelope is readable; malformed ones go back verbatim. */
  private freshFields(original: Record<string, string>): string[] {
    const copy = { ...original };
    const raw = copy[ENVELOPE_FIELD];
    if (raw !== undefined) {
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          copy[ENVELOPE_FIELD] = JSON.stringify({ ...parsed, attempt: 1 });
        }
      } catch {
        // not JSON: replayed as written (it will be dead-lettered again unless it was fixed)
      }
    }
    return Object.entries(copy).flat();
  }
}
