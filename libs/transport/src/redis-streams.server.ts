// Over 400 lines: kept whole while wave 2's branches merged into it; splitting it by responsibility is issue 10's
// named work (docs/architecture.md, "Known debt"), to be done before more features land here.
import { contextFromTraceparent, inSpan, SpanKind, tracingEnabled } from '@app/observability';
import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom, toArray } from 'rxjs';
import { backoffDelay } from './backoff';
import { TransportEnvelope } from './envelope';
import {
  DeadLetterReason,
  decodeEntry,
  encodeDeadLetter,
  encodeEnvelope,
  fieldsToRecord,
  ReplyBody,
} from './entry-codec';
import { classifyFailure } from './handler-failure';
import { createRedisConnection, duplicateConnection, redactRedisUrl, RedisConnection } from './redis-connection';
import { TransportUnavailableError, withTimeout } from './transport.errors';
import { BROADCAST_ADDRESS, broadcastGroup, TransportKeys } from './keys';
import { RedisStreamsContext } from './redis-streams.context';
import { transportMetrics, TransportMetrics } from './transport.metrics';
import { RedisStreamsServerOptions, ResolvedServerOptions, resolveServerOptions } from './transport.options';
import { safeMinId } from './trim';
import { consumerAttributes } from './tracing-attributes';
import { removeDeadConsumers, trimDeadLetters } from './stream-hygiene';

export type RedisStreamsStatus = 'connected' | 'disconnected' | 'reconnecting';

/** An entry that was just dead-lettered; `envelope` is absent when the entry could not be decoded. */
export interface DeadLetterEvent {
  address: string;
  /** The entry's id in its stream (stable: the same entry dead-lettered by two consumers has one id). */
  source_id: string;
  reason: DeadLetterReason;
  error: string;
  attempts: number;
  message_type: string | null;
  envelope?: TransportEnvelope;
}

export type DeadLetterListener = (event: DeadLetterEvent) => Promise<void> | void;

type StreamEntry = [id: string, fields: string[] | null];
type ReadReply = [key: string, entries: StreamEntry[]][] | null;

/** One consumed stream: an address (or the broadcast stream) read through one consumer group. */
interface Lane {
  address: string;
  key: string;
  dlqKey: string;
  group: string;
  /** Where a fresh group starts: `0` for agent streams (keep what was sent before any consumer existed), `$` for broadcast. */
  startId: string;
  concurrency: number;
  reader: RedisConnection;
  inFlight: number;
  /** Entries this instance owns: in flight or waiting for a retry. Their idle time is reset (lease renewal). */
  held: Set<string>;
  retries: Map<string, { timer: NodeJS.Timeout; run: () => Promise<void> }>;
  slotWaiters: Array<() => void>;
  idleWaiters: Array<() => void>;
  acks: string[];
  /** Acks queued or on the wire. */
  acking: number;
  ackScheduled: boolean;
  loop?: Promise<void>;
  nextClaimAt: number;
  claimCursor: string;
  /** A dependency of the handlers is down: take no new entries before this time. */
  pausedUntil: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How long listen() waits for the consumer groups before it returns anyway (Redis down at start-up). */
const GROUP_WAIT_MS = 5_000;

/**
 * Nest transport over Redis Streams with consumer groups: at-least-once delivery, retries with backoff,
 * dead-letter stream, XAUTOCLAIM reclaim of dead consumers' entries, per-address concurrency.
 * `app.connectMicroservice({ strategy: new RedisStreamsServer({ addresses: [{ address: 'DEV-001', concurrency: 3 }] }) })`.
 */
export class RedisStreamsServer
  extends Server<Record<string, (...args: unknown[]) => unknown>, RedisStreamsStatus>
  implements CustomTransportStrategy
{
  private readonly options: ResolvedServerOptions;
  private readonly authenticate: RedisStreamsServerOptions['authenticate'];
  private readonly keys: TransportKeys;
  private readonly metrics: TransportMetrics = transportMetrics();
  private readonly deadLetterListeners: DeadLetterListener[] = [];
  private readonly log = new Logger(RedisStreamsServer.name);
  private cmd?: RedisConnection;
  private lanes: Lane[] = [];
  private running = false;
  private draining?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  private lastLoopError = 0;
  private aborted = false;
  private readonly handlerCache = new Map<string, MessageHandler | null>();

  constructor(options: RedisStreamsServerOptions) {
    super();
    this.options = resolveServerOptions(options);
    this.authenticate = options.authenticate;
    this.keys = new TransportKeys(this.options.keyPrefix);
  }

  get consumerName(): string {
    return this.options.consumerName;
  }

  listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  /** Stop reading, let in-flight handlers finish and acknowledge; connections stay open. Idempotent. */
  drain(): Promise<void> {
    this.draining ??= this.doDrain();
    return this.draining;
  }

  /** Graceful shutdown: drain, leave broadcast, close connections. */
  async close(): Promise<void> {
    if (!this.cmd || this.aborted) return;
    await this.drain();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const cmd = this.cmd;
    for (const lane of this.lanes) {
      if (lane.address === BROADCAST_ADDRESS) {
        await cmd.xgroup('DESTROY', lane.key, lane.group).catch((err: unknown) => this.warn('leaving broadcast', err));
      }
      lane.reader.disconnect();
    }
    await cmd.quit().catch(() => cmd.disconnect());
    this.cmd = undefined;
    this._status$.next('disconnected');
  }

  /**
   * Drop every connection now without draining or acknowledging: what a crash looks like to the rest of the group
   * (its pending entries get reclaimed after the visibility timeout). For tests and emergencies.
   */
  abort(): void {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const lane of this.lanes) {
      for (const r of lane.retries.values()) clearTimeout(r.timer);
      lane.retries.clear();
      lane.reader.disconnect();
      this.wake(lane.slotWaiters);
    }
    // The object stays: handlers still running get "Connection is closed" on ack, like a dead process would.
    this.cmd?.disconnect();
    this.aborted = true;
    this.draining = Promise.resolve();
  }

  on(event: string, callback: (...args: unknown[]) => void): void {
    if (!this.cmd) throw new Error('RedisStreamsServer.on() is available after listen()');
    this.cmd.on(event, callback);
  }

  unwrap<T>(): T {
    if (!this.cmd) throw new Error('RedisStreamsServer is not listening');
    return this.cmd as T;
  }

  /** Entries in flight on this instance, per address (for /status pages). */
  inFlight(): Record<string, number> {
    return Object.fromEntries(this.lanes.map((l) => [l.address, l.inFlight]));
  }

  private async start(): Promise<void> {
    const o = this.options;
    const cmd = createRedisConnection(o.url, {
      ...o.redis,
      connectionName: `ea-transport:${o.consumerName}`,
      // Acks and retries wait for a reconnect rather than fail: a failed ack only means a redelivery.
      maxRetriesPerRequest: null,
      enableAutoPipelining: true,
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    });
    this.cmd = cmd;
    cmd.on('ready', () => this._status$.next('connected'));
    cmd.on('reconnecting', () => this._status$.next('reconnecting'));
    cmd.on('error', (err: Error) => this.throttledWarn('redis', err));

    const lanes = o.addresses.map((a) => this.lane(a.address, a.concurrency, o.group, '0'));
    if (o.broadcast)
      lanes.push(this.lane(BROADCAST_ADDRESS, o.broadcast.concurrency, broadcastGroup(o.consumerName), '$'));
    this.lanes = lanes;
    // A Redis outage at start-up is waited out, not fatal: the read loops create missing groups (NOGROUP) once
    // Redis answers, and commands queue until it reconnects (maxRetriesPerRequest: null).
    await withTimeout(Promise.all(lanes.map((l) => this.ensureGroup(l))), GROUP_WAIT_MS, () => {
      return new TransportUnavailableError(`Redis at ${redactRedisUrl(o.url)} not reachable yet; consuming once it is`);
    }).catch((err: unknown) => this.warn('start', err));
    this.running = true;
    for (const lane of lanes) lane.loop = this.readLoop(lane);
    const renewEvery = Math.max(50, Math.floor(o.visibilityTimeoutMs / 3));
    this.timers.push(setInterval(() => void this.renewLeases(), renewEvery));
    this.timers.push(setInterval(() => void this.maintain(), o.maintenanceIntervalMs));
    for (const t of this.timers) t.unref();
    this.log.log(
      `consuming ${lanes.map((l) => `${l.address}(${l.concurrency})`).join(', ')} as ${o.consumerName} in group ${o.group}`,
    );
  }

  private lane(address: string, concurrency: number, group: string, startId: string): Lane {
    const reader = duplicateConnection(this.cmd!, {
      connectionName: `ea-transport:${this.options.consumerName}:${address}`,
      enableAutoPipelining: false,
    });
    reader.on('error', () => undefined); // reported through the command connection
    return {
      address,
      key: this.keys.stream(address),
      dlqKey: this.keys.deadLetter(address),
      group,
      startId,
      concurrency,
      reader,
      inFlight: 0,
      held: new Set(),
      retries: new Map(),
      slotWaiters: [],
      idleWaiters: [],
      acks: [],
      acking: 0,
      ackScheduled: false,
      nextClaimAt: 0,
      claimCursor: '0-0',
      pausedUntil: 0,
    };
  }

  private async ensureGroup(lane: Lane): Promise<void> {
    try {
      await this.cmd!.xgroup('CREATE', lane.key, lane.group, lane.startId, 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /**
   * Own pending entries first (a restarted consumer resumes its work), then reclaim dead consumers' entries when
   * due, then new entries — never asking for more than the free slots.
   */
  private async readLoop(lane: Lane): Promise<void> {
    const o = this.options;
    let historyCursor: string | null = '0';
    while (this.running) {
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
          for (const [id, fields] of entries) this.dispatch(lane, id, fields, counts.get(id) ?? 2, 'recovered');
        } else {
          for (const [id, fields] of entries) this.dispatch(lane, id, fields, 1);
        }
      } catch (err) {
        if (!this.running) break;
        if (String((err as Error).message).includes('NOGROUP')) {
          // Redis lost the group (restart without persistence, or the key was deleted): recreate and go on.
          await this.ensureGroup(lane).catch(() => undefined);
        } else {
          this.throttledWarn(`read loop ${lane.address}`, err);
        }
        await sleep(100);
      }
    }
  }

  /** XAUTOCLAIM entries idle past the visibility timeout (a dead or stalled consumer's) into this consumer. */
  private async reclaim(lane: Lane, free: number): Promise<number> {
    const o = this.options;
    const [next, claimed] = (await this.cmd!.xautoclaim(
      lane.key, lane.group, o.consumerName, o.visibilityTimeoutMs, lane.claimCursor, 'COUNT', free,
    )) as [string, StreamEntry[], string[]]; // prettier-ignore
    lane.claimCursor = next;
    const fresh = claimed.filter(([id]) => !lane.held.has(id));
    if (fresh.length === 0) return 0;
    const counts = await this.deliveryCounts(
      lane,
      fresh.map(([id]) => id),
    );
    for (const [id, fields] of fresh) this.dispatch(lane, id, fields, counts.get(id) ?? 2, 'reclaimed');
    return fresh.length;
  }

  /** Redis' delivery counter per entry (XPENDING extended form), so crash loops still reach maxDeliveries. */
  private async deliveryCounts(lane: Lane, ids: string[]): Promise<Map<string, number>> {
    const pipeline = this.cmd!.pipeline();
    for (const id of ids) pipeline.xpending(lane.key, lane.group, id, id, 1);
    const results = (await pipeline.exec()) ?? [];
    const counts = new Map<string, number>();
    for (const [err, rows] of results) {
      const row = !err && Array.isArray(rows) ? (rows[0] as [string, string, number, number] | undefined) : undefined;
      if (row) counts.set(row[0], Number(row[3]));
    }
    return counts;
  }

  private dispatch(lane: Lane, id: string, fields: string[] | null, deliveries: number, cause?: string): void {
    lane.inFlight += 1;
    lane.held.add(id);
    this.metrics.inFlight.inc({ address: lane.address });
    if (cause) this.metrics.redelivered.inc({ address: lane.address, cause });
    this.handleEntry(lane, id, fields, deliveries)
      .catch((err: unknown) => {
        // Only Redis failures land here; the entry stays pending and is reclaimed later.
        lane.held.delete(id);
        this.throttledWarn(`entry ${id} on ${lane.address}`, err);
      })
      .finally(() => {
        lane.inFlight -= 1;
        this.metrics.inFlight.dec({ address: lane.address });
        this.wake(lane.slotWaiters);
        if (this.isIdle(lane)) this.wake(lane.idleWaiters);
      });
  }

  private async handleEntry(lane: Lane, id: string, fields: string[] | null, deliveries: number): Promise<void> {
    if (fields === null) {
      // Deleted while pending (XDEL/trim by hand): nothing left to deliver.
      return this.ack(lane, id);
    }
    const record = fieldsToRecord(fields);
    const decoded = decodeEntry(record, this.options.maxEnvelopeDepth);
    if (!decoded.ok) return this.deadLetter(lane, id, record, decoded.reason, decoded.error, deliveries, null);
    const envelope = decoded.envelope;
    // Never below Redis' own delivery counter: whatever keeps failing outside the handler (reply, ack,
    // a crash), the entry is dead-lettered once that counter passes maxDeliveries.
    const attempt = Math.max(envelope.attempt + deliveries - 1, deliveries);
    const pattern = envelope.message_type;
    const handler = this.handlerFor(pattern);
    if (!handler) {
      return this.deadLetter(
        lane,
        id,
        record,
        'unknown_pattern',
        `no handler for pattern "${pattern}"`,
        attempt,
        pattern,
      );
    }
    const refusal = this.authenticate ? await this.authenticate(envelope, lane.address) : undefined;
    if (refusal !== undefined) {
      return this.deadLetter(lane, id, record, 'unauthenticated', refusal, attempt, pattern, envelope);
    }
    if (attempt > this.options.maxDeliveries) {
      const error = `delivered ${attempt} times without an acknowledgement (consumers crashed or stalled)`;
      return this.deadLetter(lane, id, record, 'max_deliveries', error, attempt, pattern, envelope);
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
      await this.reply(envelope, { request_id: envelope.id, correlation_id: envelope.correlation_id, values }).catch(
        (err: unknown) => this.throttledWarn(`reply to ${envelope.id}`, err),
      );
    }
    return this.ack(lane, id);
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
    this.throttledWarn(`${lane.address} paused: a dependency is unavailable (entry ${id} waits)`, err);
    await sleep(delay);
    if (!this.running) throw new Error(`draining during an outage: entry ${id} left pending`);
  }

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
      await this.reply(envelope, {
        request_id: envelope.id,
        correlation_id: envelope.correlation_id,
        err: failure.reply,
      });
      return this.ack(lane, id);
    }
    this.metrics.handled.inc({ address: lane.address, pattern, outcome: 'failed' });
    if (!failure.retryable || attempt >= this.options.maxDeliveries) {
      const reason = failure.retryable ? 'max_deliveries' : 'rejected';
      return this.deadLetter(lane, id, record, reason, failure.description, attempt, pattern, envelope);
    }
    this.log.warn(
      `${pattern} ${envelope.id} failed (attempt ${attempt}/${this.options.maxDeliveries}): ${failure.description}`,
    );
    return this.scheduleRetry(lane, id, envelope, attempt);
  }

  /** Nest's lookup JSON.parses the pattern (throwing for plain strings) on every call: memoize it per pattern. */
  private handlerFor(pattern: string): MessageHandler | null {
    let handler = this.handlerCache.get(pattern);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(pattern);
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
    return lastValueFrom(this.transformToObservable(result).pipe(toArray()));
  }

  /** Requeue as a fresh entry with attempt + 1 after the backoff; the original stays pending (held) until then. */
  private scheduleRetry(lane: Lane, id: string, envelope: TransportEnvelope, attempt: number): void {
    const run = async () => {
      lane.retries.delete(id);
      const next = { ...envelope, attempt: attempt + 1 };
      await this.cmd!.multi()
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
          this.throttledWarn(`retry of ${id}`, err);
        });
      },
      backoffDelay(attempt, this.options.retryBackoff),
    );
    lane.retries.set(id, { timer, run });
  }

  /**
   * Called after an entry was moved to the dead-letter stream and acked, so the application can
   * fail the work it carried with the reason. Best effort: a failing listener is logged.
   */
  onDeadLetter(listener: DeadLetterListener): void {
    this.deadLetterListeners.push(listener);
  }

  private async deadLetter(
    lane: Lane,
    id: string,
    original: Record<string, string>,
    reason: DeadLetterReason,
    error: string,
    attempts: number,
    messageType: string | null,
    envelope?: TransportEnvelope,
  ): Promise<void> {
    const fields = encodeDeadLetter({
      address: lane.address,
      reason,
      error,
      attempts,
      source_id: id,
      consumer: this.options.consumerName,
      dead_lettered_at: new Date().toISOString(),
      message_type: messageType,
      original,
    });
    await this.cmd!.multi()
      .xadd(lane.dlqKey, '*', ...fields)
      .xack(lane.key, lane.group, id)
      .exec();
    lane.held.delete(id);
    this.metrics.deadLettered.inc({ address: lane.address, reason });
    this.log.warn(`dead-lettered ${id} from ${lane.address} (${reason}): ${error}`);
    const event: DeadLetterEvent = {
      address: lane.address,
      source_id: id,
      reason,
      error,
      attempts,
      message_type: messageType,
      envelope,
    };
    for (const listener of this.deadLetterListeners) {
      try {
        await listener(event);
      } catch (err) {
        this.log.warn(`dead-letter listener failed for ${id}: ${(err as Error).message}`);
      }
    }
    if (envelope?.reply_to) {
      const err = {
        status: 'error',
        code: 'TRANSPORT_DEAD_LETTERED',
        message: `dead-lettered after ${attempts} attempt(s): ${error}`,
      };
      await this.reply(envelope, { request_id: envelope.id, correlation_id: envelope.correlation_id, err }).catch(
        () => undefined,
      );
    }
  }

  private async reply(envelope: TransportEnvelope, body: ReplyBody): Promise<void> {
    const key = envelope.reply_to!;
    if (!key.startsWith(`${this.options.keyPrefix}:{`) || !key.endsWith('}:reply')) {
      this.log.warn(`not replying to ${envelope.id}: reply_to ${key} is not a reply stream of this bus`);
      return;
    }
    let json: string;
    try {
      json = JSON.stringify(body);
    } catch (err) {
      json = JSON.stringify({
        ...body,
        values: undefined,
        err: { status: 'error', message: `reply not serializable: ${(err as Error).message}` },
      });
    }
    await this.cmd!.multi()
      .xadd(key, 'MAXLEN', '~', 10_000, '*', 'reply', json)
      .pexpire(key, this.options.replyTtlMs)
      .exec();
  }

  /**
   * Acks of one tick go out as one multi-id XACK. The slot is already free (reading continues while the ack is
   * on the wire); drain waits for `acking` to reach zero.
   */
  private ack(lane: Lane, id: string): void {
    lane.acks.push(id);
    lane.acking += 1;
    if (lane.ackScheduled) return;
    lane.ackScheduled = true;
    setImmediate(() => {
      const batch = lane.acks;
      lane.acks = [];
      lane.ackScheduled = false;
      this.cmd!.xack(lane.key, lane.group, ...batch)
        .catch((err: unknown) => this.throttledWarn(`ack on ${lane.address}`, err)) // redelivered later
        .finally(() => {
          for (const b of batch) lane.held.delete(b);
          lane.acking -= batch.length;
          if (this.isIdle(lane)) this.wake(lane.idleWaiters);
        });
    });
  }

  private isIdle(lane: Lane): boolean {
    return lane.inFlight === 0 && lane.acking === 0;
  }

  /** Reset the idle time of entries this instance still owns so nobody reclaims a long-running handler's entry. */
  private async renewLeases(): Promise<void> {
    const cmd = this.cmd;
    if (!cmd) return;
    for (const lane of this.lanes) {
      if (lane.held.size === 0) continue;
      await cmd
        .xclaim(lane.key, lane.group, this.options.consumerName, 0, ...lane.held, 'JUSTID')
        .catch((err: unknown) => this.throttledWarn('lease renewal', err));
    }
  }

  /** Trim acknowledged entries, refresh the pending and dead-letter gauges, drop broadcast groups of dead instances. */
  private async maintain(): Promise<void> {
    const cmd = this.cmd;
    if (!cmd) return;
    for (const lane of this.lanes) {
      try {
        const groups = await this.groupsOf(cmd, lane.key);
        this.metrics.pendingEntries.set(
          { address: lane.address },
          groups.reduce((n, g) => n + g.pending, 0),
        );
        this.metrics.deadLetterEntries.set({ address: lane.address }, await cmd.xlen(lane.dlqKey));
        if (lane.address === BROADCAST_ADDRESS) await this.dropStaleBroadcastGroups(cmd, lane, groups);
        else await this.removeDeadConsumers(cmd, lane);
        await trimDeadLetters(cmd, lane.dlqKey, this.options.deadLetterRetention);
        if (this.options.trim) await this.trim(cmd, lane, groups, this.options.trim.maxLength);
      } catch (err) {
        this.throttledWarn(`maintenance of ${lane.address}`, err);
      }
    }
  }

  private async groupsOf(
    cmd: RedisConnection,
    key: string,
  ): Promise<Array<{ name: string; pending: number; lastDeliveredId: string }>> {
    const raw = (await cmd.xinfo('GROUPS', key)) as unknown[][];
    return raw.map((g) => {
      const r = fieldsToRecord(g.map(String));
      return { name: r.name, pending: Number(r.pending), lastDeliveredId: r['last-delivered-id'] };
    });
  }

  private async trim(
    cmd: RedisConnection,
    lane: Lane,
    groups: Array<{ name: string; pending: number; lastDeliveredId: string }>,
    maxLength: number,
  ): Promise<void> {
    if ((await cmd.xlen(lane.key)) <= maxLength) return;
    const positions = [];
    for (const g of groups) {
      let oldestPendingId: string | null = null;
      if (g.pending > 0) {
        const summary = (await cmd.xpending(lane.key, g.name)) as [number, string | null, string | null, unknown];
        oldestPendingId = summary[1];
      }
      positions.push({ lastDeliveredId: g.lastDeliveredId, oldestPendingId });
    }
    const minId = safeMinId(positions);
    // Entries appended meanwhile have larger ids; entries below minId are acknowledged by every group.
    if (minId) await cmd.xtrim(lane.key, 'MINID', minId);
  }

  private async removeDeadConsumers(cmd: RedisConnection, lane: Lane): Promise<void> {
    const o = this.options;
    const removed = await removeDeadConsumers(cmd, lane.key, lane.group, o.consumerName, o.deadConsumerIdleMs);
    if (removed.length > 0) this.log.log(`removed idle consumers ${removed.join(', ')} from ${lane.address}`);
  }

  private async dropStaleBroadcastGroups(
    cmd: RedisConnection,
    lane: Lane,
    groups: Array<{ name: string }>,
  ): Promise<void> {
    for (const g of groups) {
      if (g.name === lane.group || !g.name.startsWith(broadcastGroup(''))) continue;
      const consumers = ((await cmd.xinfo('CONSUMERS', lane.key, g.name)) as unknown[][]).map((c) =>
        fieldsToRecord(c.map(String)),
      );
      if (consumers.length > 0 && consumers.every((c) => Number(c.idle) > this.options.broadcastGroupTtlMs)) {
        await cmd.xgroup('DESTROY', lane.key, g.name);
        this.log.log(
          `removed broadcast group ${g.name} of an instance idle for over ${this.options.broadcastGroupTtlMs} ms`,
        );
      }
    }
  }

  private async doDrain(): Promise<void> {
    this.running = false;
    for (const lane of this.lanes) this.wake(lane.slotWaiters);
    // A loop blocked in XREADGROUP returns within blockMs; if Redis is unreachable, cut the connection instead.
    await Promise.all(
      this.lanes.map(async (lane) => {
        const finished = await withTimeout(
          Promise.resolve(lane.loop),
          this.options.blockMs + 500,
          () => new Error('stuck'),
        ).then(
          () => true,
          () => false,
        );
        if (!finished) lane.reader.disconnect();
      }),
    );
    // Retries waiting for their backoff are requeued now so another instance picks them up.
    for (const lane of this.lanes) {
      const waiting = [...lane.retries.values()];
      lane.retries.clear();
      for (const r of waiting) clearTimeout(r.timer);
      await Promise.all(waiting.map((r) => r.run().catch((err: unknown) => this.warn('requeue on drain', err))));
    }
    await Promise.all(
      this.lanes.map((lane) =>
        this.isIdle(lane) ? Promise.resolve() : new Promise<void>((r) => lane.idleWaiters.push(r)),
      ),
    );
    this.log.log(`drained ${this.options.consumerName}`);
  }

  private wake(waiters: Array<() => void>): void {
    for (const w of waiters.splice(0)) w();
  }

  private warn(what: string, err: unknown): void {
    this.log.warn(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** During an outage every loop fails every 100 ms; one line a few seconds is enough. */
  private throttledWarn(what: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastLoopError < 5_000) return;
    this.lastLoopError = now;
    this.warn(what, err);
  }
}
