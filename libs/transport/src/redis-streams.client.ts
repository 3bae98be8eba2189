import { traceparentOf } from '@app/observability';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { assertValidEnvelope, createEnvelope, TransportEnvelope } from './envelope';
import { signEnvelope } from './envelope-signature';
import { encodeEnvelope, fieldsToRecord, ReplyBody } from './entry-codec';
import { assertValidAddress, BROADCAST_ADDRESS, nextStreamId, TransportKeys } from './keys';
import { createRedisConnection, duplicateConnection, RedisConnection } from './redis-connection';
import { TransportTimeoutError, TransportUnavailableError, withTimeout } from './transport.errors';
import { transportMetrics } from './transport.metrics';
import { RedisStreamsClientOptions, ResolvedClientOptions, resolveClientOptions } from './transport.options';

export interface StreamsRecordOptions {
  /** Target address (agent id, or `ALL` for a broadcast `emit`). Overrides the client's defaultTarget. */
  to?: string;
  /** Business correlation id (e.g. the task id); defaults to the envelope id. */
  correlationId?: string;
  /** W3C traceparent to propagate. */
  traceparent?: string;
  /** Per-call `send` timeout. */
  timeoutMs?: number;
  /** Per-call `from_agent` (an orchestrator speaking for PM-001, an agent host for one of its agents). */
  from?: string;
}

/** Per-call envelope options, like Nest's RmqRecord: `client.send('tasks.get', new StreamsRecord(data, { to: 'PM-001' }))`. */
export class StreamsRecord<T = unknown> {
  constructor(
    readonly data: T,
    readonly options: StreamsRecordOptions = {},
  ) {}
}

type SentReply = (packet: WritePacket) => void;

interface Resolved {
  target: string;
  data: unknown;
  options: StreamsRecordOptions;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * ClientProxy over Redis Streams. `emit()` resolves with the stream entry id once Redis acknowledged the XADD
 * (fails with TransportUnavailableError after appendTimeoutMs in an outage); `send()` waits for the handler's
 * reply on this client's reply stream (TransportTimeoutError after requestTimeoutMs).
 * Address a call with `client.to('DEV-001').send(...)` or a `StreamsRecord`.
 */
export class RedisStreamsClient extends ClientProxy {
  readonly clientId = `client-${randomUUID()}`;
  private readonly options: ResolvedClientOptions;
  private readonly keys: TransportKeys;
  private readonly replyKey: string;
  private readonly metrics = transportMetrics();
  private readonly log = new Logger(RedisStreamsClient.name);
  private pub?: RedisConnection;
  private replyReader?: RedisConnection;
  private replyLoop?: Promise<void>;
  private readonly pending = new Map<string, { callback: SentReply; timer: NodeJS.Timeout }>();
  private closed = false;
  private connecting?: Promise<RedisConnection>;

  constructor(options: RedisStreamsClientOptions = {}) {
    super();
    this.options = resolveClientOptions(options);
    this.keys = new TransportKeys(this.options.keyPrefix);
    this.replyKey = this.keys.reply(this.clientId);
  }

  /** A view of this client bound to one address: `client.to('DEV-001').emit('task.execute', task)`. */
  to(address: string): AddressedStreamsClient {
    assertValidAddress(address);
    return new AddressedStreamsClient(this, address);
  }

  /** Resolves when Redis is reachable; fails with TransportUnavailableError after appendTimeoutMs otherwise. */
  async connect(): Promise<RedisConnection> {
    this.closed = false;
    const pub = this.ensurePub();
    if (pub.status === 'ready') return pub;
    // One waiter for all callers while (re)connecting.
    this.connecting ??= withTimeout(
      new Promise<RedisConnection>((resolve) => pub.once('ready', () => resolve(pub))),
      this.options.appendTimeoutMs,
      () =>
        new TransportUnavailableError(
          `Redis at ${this.options.url} unreachable for ${this.options.appendTimeoutMs} ms`,
        ),
    ).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.callback({
        err: new TransportUnavailableError(`client closed before the reply to request ${id} arrived`),
        isDisposed: true,
      });
    }
    this.pending.clear();
    this.replyReader?.disconnect();
    await this.replyLoop;
    const pub = this.pub;
    if (pub) {
      if (pub.status === 'ready') await pub.del(this.replyKey).catch(() => undefined);
      await pub.quit().catch(() => pub.disconnect());
    }
    this.pub = undefined;
    this.replyReader = undefined;
    this.replyLoop = undefined;
    this._status$.next('disconnected');
  }

  override on(event: string, callback: (...args: unknown[]) => void): void {
    this.ensurePub().on(event, callback);
  }

  unwrap<T>(): T {
    return this.ensurePub() as T;
  }

  protected publish(packet: ReadPacket, callback: SentReply): () => void {
    let envelope: TransportEnvelope;
    let timeoutMs: number;
    try {
      const r = this.resolve(packet.data);
      if (r.target === BROADCAST_ADDRESS) throw new Error('send() needs one addressee; broadcast (ALL) is emit-only');
      envelope = this.envelope(packet.pattern, r);
      envelope.reply_to = this.replyKey;
      assertValidEnvelope(envelope);
      timeoutMs = r.options.timeoutMs ?? this.options.requestTimeoutMs;
    } catch (err) {
      callback({ err, isDisposed: true });
      return () => undefined;
    }
    const requestId = envelope.id;
    const timer = setTimeout(() => {
      if (!this.pending.delete(requestId)) return;
      callback({
        err: new TransportTimeoutError(
          `no reply to "${envelope.message_type}" from ${envelope.to_agent} within ${timeoutMs} ms ` +
            `(request ${requestId}, correlation ${envelope.correlation_id}); it may still be handled`,
        ),
        isDisposed: true,
      });
    }, timeoutMs);
    this.pending.set(requestId, { callback, timer });
    this.ensureReplyLoop();
    this.append(envelope, 'request').catch((err: unknown) => {
      const p = this.pending.get(requestId);
      if (!p) return;
      clearTimeout(p.timer);
      this.pending.delete(requestId);
      callback({ err, isDisposed: true });
    });
    return () => {
      const p = this.pending.get(requestId);
      if (p) clearTimeout(p.timer);
      this.pending.delete(requestId);
    };
  }

  /** Resolves with the stream entry id once Redis acknowledged the append. */
  protected async dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    const envelope = this.envelope(packet.pattern, this.resolve(packet.data));
    assertValidEnvelope(envelope);
    return (await this.append(envelope, 'event')) as T;
  }

  private resolve(data: unknown): Resolved {
    const record = data instanceof StreamsRecord ? data : new StreamsRecord(data);
    const target = record.options.to ?? this.options.defaultTarget;
    if (target === undefined)
      throw new Error('no target address: set defaultTarget, use client.to(address) or a StreamsRecord');
    assertValidAddress(target);
    return { target, data: record.data, options: record.options };
  }

  private envelope(pattern: unknown, r: Resolved): TransportEnvelope {
    const envelope = createEnvelope({
      from_agent: r.options.from ?? this.options.from,
      to_agent: r.target,
      message_type: this.normalizePattern(pattern as string),
      payload: r.data,
      correlation_id: r.options.correlationId,
      // An explicit traceparent wins; otherwise the active span's, so the receiver continues the sender's trace.
      traceparent: r.options.traceparent ?? traceparentOf(),
    });
    return this.options.signer ? signEnvelope(envelope, this.options.signer) : envelope;
  }

  private async append(envelope: TransportEnvelope, kind: 'request' | 'event'): Promise<string> {
    const pub = await this.connect();
    const key = this.keys.stream(envelope.to_agent);
    const id = await withTimeout(
      pub.xadd(key, '*', ...encodeEnvelope(envelope)),
      this.options.appendTimeoutMs,
      () =>
        new TransportUnavailableError(
          `Redis did not acknowledge "${envelope.message_type}" to ${envelope.to_agent} within ${this.options.appendTimeoutMs} ms ` +
            `(message ${envelope.id}); it may or may not have been stored`,
        ),
    );
    this.metrics.sent.inc({ address: envelope.to_agent, pattern: envelope.message_type, kind });
    return id as string;
  }

  private ensurePub(): RedisConnection {
    if (this.pub) return this.pub;
    const pub = createRedisConnection(this.options.url, {
      ...this.options.redis,
      connectionName: `ea-transport:${this.clientId}`,
      enableAutoPipelining: true,
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    });
    pub.on('ready', () => this._status$.next('connected'));
    pub.on('reconnecting', () => this._status$.next('reconnecting'));
    pub.on('error', () => undefined); // surfaced per call as TransportUnavailableError
    this.pub = pub;
    return pub;
  }

  private ensureReplyLoop(): void {
    if (this.replyLoop) return;
    const reader = duplicateConnection(this.ensurePub(), {
      connectionName: `ea-transport:${this.clientId}:replies`,
      maxRetriesPerRequest: null,
    });
    reader.on('error', () => undefined);
    this.replyReader = reader;
    this.replyLoop = this.readReplies(reader);
  }

  private async readReplies(reader: RedisConnection): Promise<void> {
    let lastId = '0-0';
    while (!this.closed) {
      try {
        const res = await reader.xread('BLOCK', this.options.blockMs, 'STREAMS', this.replyKey, lastId);
        const entries = res?.[0]?.[1] ?? [];
        for (const [id, fields] of entries) {
          lastId = id;
          this.onReply(fieldsToRecord(fields).reply);
        }
        if (entries.length > 0)
          void this.pub?.xtrim(this.replyKey, 'MINID', nextStreamId(lastId)).catch(() => undefined);
      } catch {
        if (this.closed) break;
        await sleep(100);
      }
    }
  }

  private onReply(raw: string | undefined): void {
    let body: ReplyBody;
    try {
      body = JSON.parse(raw ?? '') as ReplyBody;
    } catch {
      this.log.warn('ignored an unreadable reply entry');
      return;
    }
    const p = this.pending.get(body.request_id);
    if (!p) return; // timed out or unsubscribed
    clearTimeout(p.timer);
    this.pending.delete(body.request_id);
    if (body.err !== undefined) return p.callback({ err: body.err, isDisposed: true });
    const values = body.values ?? [];
    values.forEach((response, i) => p.callback({ response, isDisposed: i === values.length - 1 }));
    if (values.length === 0) p.callback({ isDisposed: true });
  }
}

/** `client.to(address)`: same client, calls addressed to one agent (or `ALL` for broadcast emits). */
export class AddressedStreamsClient {
  constructor(
    private readonly client: RedisStreamsClient,
    readonly address: string,
  ) {}

  send<TResult = unknown, TInput = unknown>(
    pattern: unknown,
    data: TInput,
    options: Omit<StreamsRecordOptions, 'to'> = {},
  ): Observable<TResult> {
    return this.client.send<TResult>(pattern, this.record(data, options));
  }

  emit<TResult = string, TInput = unknown>(
    pattern: unknown,
    data: TInput,
    options: Omit<StreamsRecordOptions, 'to'> = {},
  ): Observable<TResult> {
    return this.client.emit<TResult>(pattern, this.record(data, options));
  }

  private record(data: unknown, options: Omit<StreamsRecordOptions, 'to'>): StreamsRecord {
    if (data instanceof StreamsRecord)
      return new StreamsRecord(data.data, { ...data.options, ...options, to: this.address });
    return new StreamsRecord(data, { ...options, to: this.address });
  }
}
