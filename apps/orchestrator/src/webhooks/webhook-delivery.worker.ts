import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { signWebhook } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { afterFailure } from './webhook-backoff';
import { WebhookMetrics } from './webhook.metrics';
import { checkTarget, TargetRefused } from './webhook-target';
import { AttemptOutcome, ClaimedDelivery, WebhooksRepository } from './webhooks.repository';

/** The backlog gauges are counts over the outbox: refreshed at most this often. */
const GAUGE_EVERY_MS = 5000;
const USER_AGENT = 'expert-agents-webhooks/1';

type AttemptResult = 'success' | 'http_error' | 'network_error' | 'refused';

/**
 * Every replica runs one: claims due deliveries from the outbox (SKIP LOCKED + lease), POSTs
 * them signed, records each attempt, and schedules the next with exponential backoff until the
 * retry window ends (then `dead`). Redirects are never followed: a 3xx is a failed attempt, so
 * a target cannot bounce a signed event to another host.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private gaugeAt = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: WebhooksRepository,
    private readonly metrics: WebhookMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Waits for the requests in flight so their outcomes are recorded, not retried after the lease. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all(this.inFlight);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then((full) => this.schedule(full ? 0 : this.config.webhooks.pollMs))
        .finally(() => (this.running = undefined));
    }, delayMs);
  }

  /**
   * Claims as many due deliveries as there are free slots (WEBHOOK_BATCH in flight at most) and
   * sends them; each is recorded as soon as it settles, so one slow target never holds the others.
   * True when every free slot was filled (more may be due). Errors (the database away) wait for
   * the next poll.
   */
  async tick(): Promise<boolean> {
    const { batch, timeoutMs } = this.config.webhooks;
    const free = batch - this.inFlight.size;
    if (free <= 0) return false;
    try {
      await this.refreshGauge();
      // The lease outlives the request's time limit and the target check; then another replica may take over.
      const claimed = await this.store.claim(free, timeoutMs * 2 + 5000);
      for (const d of claimed) {
        const sending: Promise<void> = this.attempt(d)
          .then(async (o) => {
            await this.store.record([o], this.config.orchestrator.instanceId);
            if (o.status !== 'pending') this.metrics.deliveries.inc({ outcome: o.status });
          })
          .catch((error: unknown) =>
            // Unrecorded: the lease ends and the delivery is sent again (at least once).
            this.log.warn(`webhook delivery ${d.delivery_id} not recorded: ${(error as Error).message}`),
          )
          .finally(() => this.inFlight.delete(sending));
        this.inFlight.add(sending);
      }
      return claimed.length >= free;
    } catch (error) {
      this.log.warn(`webhook delivery pass failed: ${(error as Error).message}`);
      return false;
    }
  }

  private async attempt(d: ClaimedDelivery): Promise<AttemptOutcome> {
    const cfg = this.config.webhooks;
    const body = JSON.stringify(d.payload);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let result: AttemptResult;
    try {
      const url = await checkTarget(d.url, cfg);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          ...signWebhook(d.secret, d.event_id, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(cfg.timeoutMs),
      });
      statusCode = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (statusCode >= 200 && statusCode < 300) result = 'success';
      else {
        result = 'http_error';
        error =
          statusCode >= 300 && statusCode < 400
            ? `redirect to ${res.headers.get('location') ?? '?'} not followed`
            : `HTTP ${statusCode}`;
      }
    } catch (e) {
      result = e instanceof TargetRefused ? 'refused' : 'network_error';
      error = e instanceof TargetRefused ? `target refused: ${e.message}` : describe(e);
    }
    const durationMs = Math.round(performance.now() - started);
    this.metrics.attempts.inc({ result });
    this.metrics.attemptSeconds.observe(durationMs / 1000);
    const base = {
      delivery_id: d.delivery_id,
      attempt: d.attempts,
      status_code: statusCode,
      error,
      duration_ms: durationMs,
    };
    if (result === 'success') return { ...base, status: 'delivered' };
    // The window counts from the event (or from an operator's replay).
    const retryUntil = d.retry_until
      ? new Date(d.retry_until).getTime()
      : new Date(d.created_at).getTime() + cfg.retryForSeconds * 1000;
    const next = afterFailure(d.attempts, Date.now(), retryUntil, cfg.retryBaseMs, cfg.retryMaxDelaySeconds * 1000);
    if (next.kind === 'dead') {
      this.log.warn(
        `webhook delivery ${d.delivery_id} (${d.event_id}) is dead after ${d.attempts} attempt(s): ${error}`,
      );
      return { ...base, status: 'dead' };
    }
    return { ...base, status: 'pending', next_attempt_at: new Date(next.at) };
  }

  private async refreshGauge(): Promise<void> {
    if (Date.now() - this.gaugeAt < GAUGE_EVERY_MS) return;
    this.gaugeAt = Date.now();
    const { pending, dead } = await this.store.backlog();
    this.metrics.pending.set(pending);
    this.metrics.dead.set(dead);
  }
}

/** fetch hides the reason in `cause` (ECONNREFUSED, a timeout, a TLS failure). */
function describe(e: unknown): string {
  const error = e as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = error.cause?.code ?? error.cause?.message;
  return cause ? `${error.message} (${cause})` : error.message;
}
