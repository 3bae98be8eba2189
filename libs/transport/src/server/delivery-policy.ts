import { contextFromTraceparent, inSpan, SpanKind, tracingEnabled } from '@app/observability';
import type { MessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom, toArray } from 'rxjs';
import { backoffDelay } from '../backoff';
import type { TransportEnvelope } from '../envelope';
import { decodeEntry, fieldsToRecord } from '../entry-codec';
import { classifyFailure } from '../handler-failure';
import { RedisStreamsContext } from '../redis-streams.context';
import { consumerAttributes } from '../tracing-attributes';
import type { TransportMetrics } from '../transport.metrics';
import type { RedisStreamsServerOptions, ResolvedServerOptions } from '../transport.options';
import type { AckBatcher } from './ack-batcher';
import type { DeadLetterWriter } from './dead-letter-writer';
import { isIdle, Lane, wake } from './lane';
import type { ReplyWriter } from './reply-writer';
import type { RetryScheduler } from './retry-scheduler';
import type { ServerLog } from './server-log';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Where handlers are found and how their results become values: the Nest server itself. */
export type HandlerSource = Pick<Server, 'getHandlerByPattern' | 'transformToObservable'>;

export interface DeliveryPolicyDeps {
  options: ResolvedServerOptions;
  authenticate: RedisStreamsServerOptions['authenticate'];
  handlers: HandlerSource;
  acks: Pick<AckBatcher, 'ack'>;
  retries: Pick<RetryScheduler, 'schedule'>;
  deadLetters: Pick<DeadLetterWriter, 'deadLetter'>;
  replies: Pick<ReplyWriter, 'reply'>;
  metrics: TransportMetrics;
  log: ServerLog;
  /** False once the server drains or aborts. */
  isRunning: () => boolean;
}

/**
 * What happens to one delivered entry: decoded, checked (pattern, authentication, delivery count), handled, then
 * acknowledged, answered, retried or dead-lettered — with which reason is decided here and nowhere else.
 */
export class DeliveryPolicy {
  private readonly options: ResolvedServerOptions;
  private readonly authenticate: RedisStreamsServerOptions['authenticate'];
  private readonly handlers: HandlerSource;
  private readonly acks: Pick<AckBatcher, 'ack'>;
  private readonly retries: Pick<RetryScheduler, 'schedule'>;
  private readonly deadLetters: Pick<DeadLetterWriter, 'deadLetter'>;
  private readonly replies: Pick<ReplyWriter, 'reply'>;
  private readonly metrics: TransportMetrics;
  private readonly log: ServerLog;
  private readonly isRunning: () => boolean;
  private readonly handlerCache = new Map<string, MessageHandler | null>();

  constructor(deps: DeliveryPolicyDeps) {
    this.options = deps.options;
    this.authenticate = deps.authenticate;
    this.handlers = deps.handlers;
    this.acks = deps.acks;
    this.retries = deps.retries;
    this.deadLetters = deps.deadLetters;
    this.replies = deps.replies;
    this.metrics = deps.metrics;
    this.log = deps.log;
    this.isRunning = deps.isRunning;
  }

  /**
   * Takes a slot and handles the entry in the background; the slot is freed (and the consumer loop woken) when it
   * is done. `deliveries` is Redis' delivery counter; `cause` says why the entry is delivered again, if it is.
   */
  dispatch(lane: Lane, id: string, fields: string[] | null, deliveries: number, cause?: string): void {
    lane.inFlight += 1;
    lane.held.add(id);
    this.metrics.inFlight.inc({ address: lane.address });
    if (cause) this.metrics.redelivered.inc({ address: lane.address, cause });
    this.handleEntry(lane, id, fields, deliveries)
      .catch((err: unknown) => {
        // Only Redis failures land here; the entry stays pending and is reclaimed later.
        lane.held.delete(id);
        this.log.throttledWarn(`entry ${id} on ${lane.address}`, err);
      })
      .finally(() => {
        lane.inFlight -= 1;
        this.metrics.inFlight.dec({ address: lane.address });
        wake(lane.slotWaiters);
        if (isIdle(lane)) wake(lane.idleWaiters);
      });
  }

  private async handleEntry(lane: Lane, id: string, fields: string[] | null, deliveries: number): Promise<void> {
    if (fields === null) {
      // Deleted while pending (XDEL/trim by hand): nothing left to deliver.
      return this.acks.ack(lane, id);
    }
    const record = fieldsToRecord(fields);
    const decoded = decodeEntry(record, this.options.maxEnvelopeDepth);
    if (!decoded.ok) {
      return this.deadLetters.deadLetter(lane, id, record, decoded.reason, decoded.error, deliveries, null);
    }
    const envelope = decoded.envelope;
    // Never below Redis' own delivery counter: whatever keeps failing outside the handler (reply, ack,
    // a crash), the entry is dead-lettered once that counter passes maxDeliveries.
    const attempt = Math.max(envelope.attempt + deliveries - 1, deliveries);
    const pattern = envelope.message_type;
    const handler = this.handlerFor(pattern);
    if (!handler) {
      const error = `no handler for pattern "${pattern}"`;
      return this.deadLetters.deadLetter(lane, id, record, 'unknown_pattern', error, attempt, pattern);
    }
    const refusal = this.authenticate ? await this.authenticate(envelope, lane.address) : undefined;
    if (refusal !== undefined) {
      return this.deadLetters.deadLetter(lane, id, record, 'unauthenticated', refusal, attempt, pattern, envelope);
    }
    if (attempt > this.options.maxDeliveries) {
      const error = `delivered ${attempt} times without an acknowledgement (consumers crashed or stalled)`;
      return this.deadLetters.deadLetter(lane, id, record, 'max_deliveries', error, attempt, pattern, envelope);
    }
    let ctx = new RedisStreamsContext([lane.address, envelope, id, attempt, this.options.consumerName]);
    const stopTimer = this.metrics.handlerDuration.startTimer({ address: lane.address, pattern });
    let values: unknown[];
    for (let outage = 1; ; outage++) {
      try {
        values = await this.invoke(handler, envelope, ctx);
        break;
      } catch (err) {
        const raw = ctx.getRecordedError()?.error ?? err;
        if (!this.options.isUnavailable(raw)) {
          stopTimer();
          return this.onHandlerFailure(lane, id, record, envelope, attempt, err, ctx);
        }
        await this.waitOutOutage(lane, id, raw, outage);
        ctx = new RedisStreamsContext([lane.address, envelope, id, attempt, this.options.consumerName]);
      }
    }
    stopTimer();
    this.metrics.handled.inc({ address: lane.address, pattern, outcome: 'success' });
    if (envelope.reply_to) {
      // The handler ran: a reply that cannot be written must not leave the entry pending to run it again.
      await this.replies
        .reply(envelope, { request_id: envelope.id, correlation_id: envelope.correlation_id, values })
        .catch((err: unknown) => this.log.throttledWarn(`reply to ${envelope.id}`, err));
    }
    return this.acks.ack(lane, id);
  }

  /**
   * A dependency of the handler is down: the entry is not the problem, so it does not count as a delivery. The lane
   * takes no new entries while paused; this entry stays held (its lease renewed) and runs again after the backoff.
   * A draining server leaves it pending for the next consumer instead.
   */
  private async waitOutOutage(lane: Lane, id: string, err: unknown, outage: number): Promise<void> {
    const delay = backoffDelay(outage, this.options.outageBackoff);
    lane.pausedUntil = Math.max(lane.pausedUntil, Date.now() + delay);
    this.metrics.redelivered.inc({ address: lane.address, cause: 'outage' });
    this.log.throttledWarn(`${lane.address} paused: a dependency is unavailable (entry ${id} waits)`, err);
    await sleep(delay);
    if (!this.isRunning()) throw new Error(`draining during an outage: entry ${id} left pending`);
  }

  /**
   * A deliberate refusal of a request is answered and acknowledged; of an event, dead-lettered as `rejected`.
   * A crash is retried until `maxDeliveries`, then dead-lettered as `max_deliveries`.
   */
  private async onHandlerFailure(
    lane: Lane,
    id: string,
    record: Record<string, string>,
    envelope: TransportEnvelope,
    attempt: number,
    err: unknown,
    ctx: RedisStreamsContext,
  ): Promise<void> {
    const pattern = envelope.message_type;
    const failure = classifyFailure(err, ctx.getRecordedError());
    if (!failure.retryable && envelope.reply_to) {
      this.metrics.handled.inc({ address: lane.address, pattern, outcome: 'rejected' });
      await this.replies.reply(envelope, {
        request_id: envelope.id,
        correlation_id: envelope.correlation_id,
        err: failure.reply,
      });
      return this.acks.ack(lane, id);
    }
    this.metrics.handled.inc({ address: lane.address, pattern, outcome: 'failed' });
    if (!failure.retryable || attempt >= this.options.maxDeliveries) {
      const reason = failure.retryable ? 'max_deliveries' : 'rejected';
      return this.deadLetters.deadLetter(lane, id, record, reason, failure.description, attempt, pattern, envelope);
    }
    this.log.warn(
      `${pattern} ${envelope.id} failed (attempt ${attempt}/${this.options.maxDeliveries}): ${failure.description}`,
    );
    return this.retries.schedule(lane, id, envelope, attempt);
  }

  /** Nest's lookup JSON.parses the pattern (throwing for plain strings) on every call: memoize it per pattern. */
  private handlerFor(pattern: string): MessageHandler | null {
    let handler = this.handlerCache.get(pattern);
    if (handler === undefined) {
      handler = this.handlers.getHandlerByPattern(pattern);
      if (this.handlerCache.size < 1_000) this.handlerCache.set(pattern, handler);
    }
    return handler;
  }

  private async invoke(
    handler: MessageHandler,
    envelope: TransportEnvelope,
    ctx: RedisStreamsContext,
  ): Promise<unknown[]> {
    // A traced message continues its sender's trace: a CONSUMER span around the handler (nothing when tracing is off).
    if (envelope.traceparent !== undefined && tracingEnabled()) {
      return inSpan(
        `${envelope.message_type} process`,
        { kind: SpanKind.CONSUMER, attributes: consumerAttributes(envelope, ctx) },
        () => this.invokeUntraced(handler, envelope, ctx),
        contextFromTraceparent(envelope.traceparent),
      );
    }
    return this.invokeUntraced(handler, envelope, ctx);
  }

  private async invokeUntraced(
    handler: MessageHandler,
    envelope: TransportEnvelope,
    ctx: RedisStreamsContext,
  ): Promise<unknown[]> {
    const result: unknown = await handler(envelope.payload, ctx);
    return lastValueFrom(this.handlers.transformToObservable(result).pipe(toArray()));
  }
}
