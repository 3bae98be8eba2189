import { backoffDelay, RetryBackoff } from '../backoff';
import type { TransportEnvelope } from '../envelope';
import { encodeEnvelope } from '../entry-codec';
import type { RedisConnection } from '../redis-connection';
import type { TransportMetrics } from '../transport.metrics';
import type { Lane } from './lane';
import type { ServerLog } from './server-log';

/**
 * A failed entry is requeued as a fresh entry with attempt + 1 after the backoff; the original stays pending (held,
 * its lease renewed) until then, so a crash meanwhile leaves it to be reclaimed rather than lost.
 */
export class RetryScheduler {
  constructor(
    private readonly cmd: RedisConnection,
    private readonly backoff: RetryBackoff,
    private readonly metrics: TransportMetrics,
    private readonly log: ServerLog,
  ) {}

  schedule(lane: Lane, id: string, envelope: TransportEnvelope, attempt: number): void {
    const run = async () => {
      lane.retries.delete(id);
      const next = { ...envelope, attempt: attempt + 1 };
      await this.cmd
        .multi()
        .xadd(lane.key, '*', ...encodeEnvelope(next))
        .xack(lane.key, lane.group, id)
        .exec();
      lane.held.delete(id);
      this.metrics.redelivered.inc({ address: lane.address, cause: 'retry' });
    };
    const timer = setTimeout(
      () => {
        run().catch((err: unknown) => {
          lane.held.delete(id); // left pending: reclaimed after the visibility timeout
          this.log.throttledWarn(`retry of ${id}`, err);
        });
      },
      backoffDelay(attempt, this.backoff),
    );
    lane.retries.set(id, { timer, run });
  }

  /** Draining: requeue the retries still waiting for their backoff now, so another instance picks them up. */
  async requeueNow(lane: Lane): Promise<void> {
    const waiting = [...lane.retries.values()];
    lane.retries.clear();
    for (const r of waiting) clearTimeout(r.timer);
    await Promise.all(waiting.map((r) => r.run().catch((err: unknown) => this.log.warnError('requeue on drain', err))));
  }

  /** Aborting: the retries are dropped; their entries stay pending and are reclaimed like a crashed consumer's. */
  cancel(lane: Lane): void {
    for (const r of lane.retries.values()) clearTimeout(r.timer);
    lane.retries.clear();
  }
}
