import { RateLimiterRes } from 'rate-limiter-flexible';

/** One limiter call: consume `points` for `key`; resolves when allowed, rejects with a RateLimiterRes when not. */
export type ConsumeFn = (key: string, points: number) => Promise<RateLimiterRes>;

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
 * With a large budget each call also reserves a little ahead (1% of the budget, `chunk`), handed out
 * here without a round trip until the window ends: a replica may count up to chunk-1 requests
 * early, which only matters within 1% of the limit. Budgets under 200 a minute reserve nothing.
 */
export class CoalescedConsume {
  private readonly queues = new Map<string, Waiter[]>();
  /** Points reserved in Redis and not yet used, per key, until the window they were counted in ends. */
  private readonly reserved = new Map<string, { left: number; until: number }>();

  constructor(
    private readonly consume: ConsumeFn,
    /** The limiter's points per window: how many of a batch that went over still fit. */
    private readonly points: number,
    private readonly onError: (error: unknown) => void,
    private readonly chunk = Math.max(1, Math.floor(points / 100)),
  ) {}

  /** Undefined when allowed; otherwise seconds until the next request may pass. Synchronous from a reservation. */
  take(key: string): undefined | Promise<number | undefined> {
    const ahead = this.reserved.get(key);
    if (ahead && ahead.left > 0 && Date.now() < ahead.until) {
      ahead.left -= 1;
      return undefined;
    }
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
    const count = batch.length + this.chunk - 1;
    try {
      const res = await this.consume(key, count);
      if (count > batch.length)
        this.reserved.set(key, { left: count - batch.length, until: Date.now() + res.msBeforeNext });
      else this.reserved.delete(key);
    } catch (rejection) {
      this.reserved.delete(key);
      if (rejection instanceof RateLimiterRes) {
        // consumedPoints counts this call too: what was left before it is what of the batch may pass.
        allowed = Math.max(0, this.points - (rejection.consumedPoints - count));
        retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      } else {
        this.onError(rejection); // an outage must not lock everybody out: allowed
      }
    }
    batch.forEach((w, i) => w.resolve(i < allowed ? undefined : retryAfter));
    // Requests that queued during the call are served from what it reserved first; only the rest make a new call
    // (starting a call for them would drop the reservation: each call then counted ~1% of the budget for a few
    // requests, and a credential hit its limit at a fraction of it — bench:registry's heartbeats saw 429s).
    let next = this.queues.get(key) ?? [];
    const ahead = this.reserved.get(key);
    if (ahead && Date.now() < ahead.until && next.length > 0) {
      const served = next.slice(0, ahead.left);
      ahead.left -= served.length;
      served.forEach((w) => w.resolve(undefined));
      next = next.slice(served.length);
    }
    if (next.length === 0) {
      this.queues.delete(key);
      return;
    }
    this.queues.set(key, []);
    void this.run(key, next);
  }
}
