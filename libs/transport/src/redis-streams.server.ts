import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { BROADCAST_ADDRESS, broadcastGroup, TransportKeys } from './keys';
import { createRedisConnection, duplicateConnection, redactRedisUrl, RedisConnection } from './redis-connection';
import { AckBatcher } from './server/ack-batcher';
import { ConsumerLoop } from './server/consumer-loop';
import { DeadLetterListener, DeadLetterWriter } from './server/dead-letter-writer';
import { DeliveryPolicy } from './server/delivery-policy';
import { isIdle, Lane, newLane, wake } from './server/lane';
import { ReplyWriter } from './server/reply-writer';
import { RetryScheduler } from './server/retry-scheduler';
import { ServerLog } from './server/server-log';
import { StreamMaintenance } from './server/stream-maintenance';
import { TransportUnavailableError, withTimeout } from './transport.errors';
import { transportMetrics, TransportMetrics } from './transport.metrics';
import { RedisStreamsServerOptions, ResolvedServerOptions, resolveServerOptions } from './transport.options';

export type { DeadLetterEvent, DeadLetterListener } from './server/dead-letter-writer';

export type RedisStreamsStatus = 'connected' | 'disconnected' | 'reconnecting';

/** How long listen() waits for the consumer groups before it returns anyway (Redis down at start-up). */
const GROUP_WAIT_MS = 5_000;

/**
 * Nest transport over Redis Streams with consumer groups: at-least-once delivery, retries with backoff,
 * dead-letter stream, XAUTOCLAIM reclaim of dead consumers' entries, per-address concurrency.
 * `app.connectMicroservice({ strategy: new RedisStreamsServer({ addresses: [{ address: 'DEV-001', concurrency: 3 }] }) })`.
 *
 * This class is the lifecycle (start, drain, close, abort) over its parts in `./server/`: the consumer loop reads,
 * the delivery policy decides each entry's fate, the ack batcher, retry scheduler, dead-letter and reply writers
 * carry it out, and the stream maintenance keeps leases, lengths and gauges in order.
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
  private readonly log = new ServerLog(new Logger(RedisStreamsServer.name));
  private cmd?: RedisConnection;
  private retries?: RetryScheduler;
  private lanes: Lane[] = [];
  private running = false;
  private draining?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  private aborted = false;

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
        await cmd
          .xgroup('DESTROY', lane.key, lane.group)
          .catch((err: unknown) => this.log.warnError('leaving broadcast', err));
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
      this.retries?.cancel(lane);
      lane.reader.disconnect();
      wake(lane.slotWaiters);
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

  /**
   * Called after an entry was moved to the dead-letter stream and acked, so the application can
   * fail the work it carried with the reason. Best effort: a failing listener is logged.
   */
  onDeadLetter(listener: DeadLetterListener): void {
    this.deadLetterListeners.push(listener);
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
    cmd.on('error', (err: Error) => this.log.throttledWarn('redis', err));

    const { log, metrics } = this;
    const isRunning = () => this.running;
    const replies = new ReplyWriter(cmd, o.keyPrefix, o.replyTtlMs, log);
    const retries = new RetryScheduler(cmd, o.retryBackoff, metrics, log);
    this.retries = retries;
    const delivery = new DeliveryPolicy({
      options: o,
      authenticate: this.authenticate,
      handlers: this,
      acks: new AckBatcher(cmd, log),
      retries,
      deadLetters: new DeadLetterWriter(cmd, o.consumerName, this.deadLetterListeners, replies, metrics, log),
      replies,
      metrics,
      log,
      isRunning,
    });
    const consumer = new ConsumerLoop(cmd, o, delivery, log, isRunning);
    const maintenance = new StreamMaintenance(cmd, o, metrics, log);

    const lanes = o.addresses.map((a) => this.lane(cmd, a.address, a.concurrency, o.group, '0'));
    if (o.broadcast)
      lanes.push(this.lane(cmd, BROADCAST_ADDRESS, o.broadcast.concurrency, broadcastGroup(o.consumerName), '$'));
    this.lanes = lanes;
    // A Redis outage at start-up is waited out, not fatal: the read loops create missing groups (NOGROUP) once
    // Redis answers, and commands queue until it reconnects (maxRetriesPerRequest: null).
    await withTimeout(Promise.all(lanes.map((l) => consumer.ensureGroup(l))), GROUP_WAIT_MS, () => {
      return new TransportUnavailableError(`Redis at ${redactRedisUrl(o.url)} not reachable yet; consuming once it is`);
    }).catch((err: unknown) => this.log.warnError('start', err));
    this.running = true;
    for (const lane of lanes) lane.loop = consumer.run(lane);
    const renewEvery = Math.max(50, Math.floor(o.visibilityTimeoutMs / 3));
    this.timers.push(setInterval(() => void maintenance.renewLeases(lanes), renewEvery));
    this.timers.push(setInterval(() => void maintenance.maintain(lanes), o.maintenanceIntervalMs));
    for (const t of this.timers) t.unref();
    this.log.log(
      `consuming ${lanes.map((l) => `${l.address}(${l.concurrency})`).join(', ')} as ${o.consumerName} in group ${o.group}`,
    );
  }

  private lane(cmd: RedisConnection, address: string, concurrency: number, group: string, startId: string): Lane {
    const reader = duplicateConnection(cmd, {
      connectionName: `ea-transport:${this.options.consumerName}:${address}`,
      enableAutoPipelining: false,
    });
    reader.on('error', () => undefined); // reported through the command connection
    const key = this.keys.stream(address);
    return newLane({ address, key, dlqKey: this.keys.deadLetter(address), group, startId, concurrency, reader });
  }

  private async doDrain(): Promise<void> {
    this.running = false;
    for (const lane of this.lanes) wake(lane.slotWaiters);
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
    for (const lane of this.lanes) await this.retries?.requeueNow(lane);
    await Promise.all(
      this.lanes.map((lane) => (isIdle(lane) ? Promise.resolve() : new Promise<void>((r) => lane.idleWaiters.push(r)))),
    );
    this.log.log(`drained ${this.options.consumerName}`);
  }
}
