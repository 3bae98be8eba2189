import type { RedisConnection } from '../redis-connection';
import type { ResolvedServerOptions } from '../transport.options';
import type { DeliveryPolicy } from './delivery-policy';
import { Lane, ReadReply, StreamEntry } from './lane';
import type { ServerLog } from './server-log';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Reads a lane's entries and hands each to the delivery policy: own pending entries first (a restarted consumer
 * resumes its work), then dead consumers' entries when a reclaim is due, then new entries — never asking for more
 * than the free slots.
 */
export class ConsumerLoop {
  constructor(
    private readonly cmd: RedisConnection,
    private readonly options: ResolvedServerOptions,
    private readonly delivery: Pick<DeliveryPolicy, 'dispatch'>,
    private readonly log: ServerLog,
    /** False once the server drains or aborts: the loop returns. */
    private readonly isRunning: () => boolean,
  ) {}

  async ensureGroup(lane: Lane): Promise<void> {
    try {
      await this.cmd.xgroup('CREATE', lane.key, lane.group, lane.startId, 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /** Runs until the server stops; never rejects (Redis errors are logged and retried). */
  async run(lane: Lane): Promise<void> {
    const o = this.options;
    let historyCursor: string | null = '0';
    while (this.isRunning()) {
      const paused = lane.pausedUntil - Date.now();
      if (paused > 0) {
        await sleep(Math.min(paused, o.blockMs));
        continue;
      }
      const free = lane.concurrency - lane.inFlight;
      if (free <= 0) {
        await new Promise<void>((r) => lane.slotWaiters.push(r));
        continue;
      }
      try {
        if (historyCursor === null && Date.now() >= lane.nextClaimAt) {
          lane.nextClaimAt = Date.now() + o.claimIntervalMs;
          if ((await this.reclaim(lane, free)) > 0) continue;
        }
        const reply = (await lane.reader.xreadgroup(
          'GROUP', lane.group, o.consumerName,
          'COUNT', free,
          'BLOCK', o.blockMs,
          'STREAMS', lane.key, historyCursor ?? '>',
        )) as ReadReply; // prettier-ignore
        const entries = reply?.[0]?.[1] ?? [];
        if (historyCursor !== null) {
          if (entries.length === 0) {
            historyCursor = null;
            continue;
          }
          historyCursor = entries[entries.length - 1][0];
          const counts = await this.deliveryCounts(
            lane,
            entries.map(([id]) => id),
          );
          for (const [id, fields] of entries) {
            this.delivery.dispatch(lane, id, fields, counts.get(id) ?? 2, 'recovered');
          }
        } else {
          for (const [id, fields] of entries) this.delivery.dispatch(lane, id, fields, 1);
        }
      } catch (err) {
        if (!this.isRunning()) break;
        if (String((err as Error).message).includes('NOGROUP')) {
          // Redis lost the group (restart without persistence, or the key was deleted): recreate and go on.
          await this.ensureGroup(lane).catch(() => undefined);
        } else {
          this.log.throttledWarn(`read loop ${lane.address}`, err);
        }
        await sleep(100);
      }
    }
  }

  /** XAUTOCLAIM entries idle past the visibility timeout (a dead or stalled consumer's) into this consumer. */
  private async reclaim(lane: Lane, free: number): Promise<number> {
    const o = this.options;
    const [next, claimed] = (await this.cmd.xautoclaim(
      lane.key, lane.group, o.consumerName, o.visibilityTimeoutMs, lane.claimCursor, 'COUNT', free,
    )) as [string, StreamEntry[], string[]]; // prettier-ignore
    lane.claimCursor = next;
    const fresh = claimed.filter(([id]) => !lane.held.has(id));
    if (fresh.length === 0) return 0;
    const counts = await this.deliveryCounts(
      lane,
      fresh.map(([id]) => id),
    );
    for (const [id, fields] of fresh) this.delivery.dispatch(lane, id, fields, counts.get(id) ?? 2, 'reclaimed');
    return fresh.length;
  }

  /** Redis' delivery counter per entry (XPENDING extended form), so crash loops still reach maxDeliveries. */
  private async deliveryCounts(lane: Lane, ids: string[]): Promise<Map<string, number>> {
    const pipeline = this.cmd.pipeline();
    for (const id of ids) pipeline.xpending(lane.key, lane.group, id, id, 1);
    const results = (await pipeline.exec()) ?? [];
    const counts = new Map<string, number>();
    for (const [err, rows] of results) {
      const row = !err && Array.isArray(rows) ? (rows[0] as [string, string, number, number] | undefined) : undefined;
      if (row) counts.set(row[0], Number(row[3]));
    }
    return counts;
  }
}
