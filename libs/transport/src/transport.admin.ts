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

  /** Replay every dead-lettered entry of an address; returns how many. */
  async replayAll(address: string): Promise<number> {
    let replayed = 0;
    for (;;) {
      const page = await this.listDeadLetters(address, { count: 100 });
      if (page.length === 0) return replayed;
      for (const e of page) if ((await this.replay(address, e.id)) !== null) replayed += 1;
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
