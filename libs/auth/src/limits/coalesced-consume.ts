import { RateLimiterRes } from 'rate-limiter-flexible';

/** One limiter call: consume `points` for `key`; resolves when allowed, rejects with a RateLimiterRes when not. */
export type ConsumeFn = (key: string, points: number) => Promise<unknown>;

interface Waiter {
  resolve(retryAfterSeconds: number | undefined): void;
}

/**
 * Requests of one credential that arrive while its limiter round trip is in flight wait for it and
 * are then counted together in one call (`points` = how many): the same count in Redis as one call
 * each, but one round trip per credential at a time instead of one per request (the auth cost on
 * the hot path, measured in bench:orchestrator). Nothing waits when the credential is idle. When a
 * joint call goes over the limit, the requests within the remaining points pass and the rest are
 * refused, as single calls would have been in arrival order.
 */
export class CoalescedConsume {
  private readonly queues = new Map<string, Waiter[]>();

  constructor(
    private readonly consume: ConsumeFn,
    /** The limiter's points per window: how many of a batch that went over still fit. */
    private readonly points: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Undefined when allowed; otherwise seconds until the next request may pass. */
  take(key: string): Promise<number | undefined> {
    return new Promise((resolve) => {
      const queue = this.queues.get(key);
      if (queue) {
        queue.push({ resolve });
        return;
      }
      this.queues.set(key, []);
      void this.run(key, [{ resolve }]);
    });
  }

  private async run(key: string, batch: Waiter[]): Promise<void> {
    let allowed = batch.length;
    let retryAfter: number | undefined;
    try {
      await this.consume(key, batch.length);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        // consumedPoints counts this batch too: what was left before it is what of it may pass.
        allowed = Math.max(0, this.points - (rejection.consumedPoints - batch.length));
        retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      } else {
        this.onError(rejection); // an outage must not lock everybody out: allowed
      }
    }
    batch.forEach((w, i) => w.resolve(i < allowed ? undefined : retryAfter));
    const next = this.queues.get(key) ?? [];
    if (next.length === 0) {
      this.queues.delete(key);
      return;
    }
    this.queues.set(key, []);
    void this.run(key, next);
  }
}
