import type { RedisConnection } from '../redis-connection';
import { isIdle, Lane, wake } from './lane';
import type { ServerLog } from './server-log';

/**
 * Acks of one tick go out as one multi-id XACK. The slot is already free (reading continues while the ack is on
 * the wire); drain waits for `acking` to reach zero. A failed XACK only means a redelivery later.
 */
export class AckBatcher {
  constructor(
    private readonly cmd: RedisConnection,
    private readonly log: ServerLog,
  ) {}

  ack(lane: Lane, id: string): void {
    lane.acks.push(id);
    lane.acking += 1;
    if (lane.ackScheduled) return;
    lane.ackScheduled = true;
    setImmediate(() => {
      const batch = lane.acks;
      lane.acks = [];
      lane.ackScheduled = false;
      this.cmd
        .xack(lane.key, lane.group, ...batch)
        .catch((err: unknown) => this.log.throttledWarn(`ack on ${lane.address}`, err)) // redelivered later
        .finally(() => {
          for (const b of batch) lane.held.delete(b);
          lane.acking -= batch.length;
          if (isIdle(lane)) wake(lane.idleWaiters);
        });
    });
  }
}
