import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Observable, Subject } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@app/config';
import { createRedisClient, REDIS_CLIENT } from '@app/persistence';
import { compareStreamIds, parseRegistryEvent, RegistryEvent, RegistryEventType } from './registry-event';

/** Events kept for reconnecting watchers (Last-Event-ID); older ones are trimmed. */
const EVENT_LOG_LENGTH = 10_000;

// Appends the event to the log and publishes it with its log id in one step, so live watchers and
// the log agree on ids and order. ARGV[1] is the event's JSON object without an id.
const PUBLISH_LUA = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
redis.call('PUBLISH', ARGV[3], '{"id":"' .. id .. '",' .. string.sub(ARGV[1], 2))
return id`;

type LoggingRedis = Redis & {
  registryLogPublish(key: string, event: string, maxlen: number, channel: string): Promise<string>;
};

/**
 * Registry events through Redis Pub/Sub, so a watcher on any replica sees changes made on any
 * other, and in an event log (a capped Redis stream) so a watcher that reconnects with
 * Last-Event-ID gets exactly what it missed, from any replica. `resync$` tells in-process caches
 * to re-read after the subscription was re-established.
 */
@Injectable()
export class RegistryEventsService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(RegistryEventsService.name);
  readonly origin = randomUUID();
  private readonly channel: string;
  private readonly subject = new Subject<RegistryEvent>();
  private readonly resyncs = new Subject<void>();
  private readonly closing = new Subject<void>();
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.channel = `${config.registryRedisPrefix}events`;
    this.logKey = `${config.registryRedisPrefix}events:log`;
    if (!('registryLogPublish' in redis))
      redis.defineCommand('registryLogPublish', { numberOfKeys: 1, lua: PUBLISH_LUA });
  }

  private readonly logKey: string;

  /**
   * The logged events after `afterId`, oldest first; `gap` when the log no longer reaches back that
   * far (trimmed), so the watcher should re-list instead of trusting the replay.
   */
  async since(afterId: string): Promise<{ events: RegistryEvent[]; gap: boolean }> {
    const first = await this.redis.xrange(this.logKey, '-', '+', 'COUNT', 1);
    const entries = await this.redis.xrange(this.logKey, `(${afterId}`, '+', 'COUNT', EVENT_LOG_LENGTH);
    const events: RegistryEvent[] = [];
    for (const [id, fields] of entries) {
      const event = parseRegistryEvent(fields[1] ?? '');
      if (event) events.push({ ...event, id });
    }
    const oldest = first[0]?.[0];
    return { events, gap: oldest !== undefined && compareStreamIds(afterId, oldest) < 0 };
  }

  get events$(): Observable<RegistryEvent> {
    return this.subject.asObservable();
  }

  /** Emits once when the app shuts down; open streams end on it. */
  get closing$(): Observable<void> {
    return this.closing.asObservable();
  }

  /** Fires after the subscription was re-established: events may have been missed meanwhile. */
  get resync$(): Observable<void> {
    return this.resyncs.asObservable();
  }

  async onModuleInit(): Promise<void> {
    const subscriber = createRedisClient(this.config.redisUrl, 'expert-agents-registry-events');
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => {
      const event = parseRegistryEvent(message);
      if (event) this.subject.next(event);
      else this.logger.warn('ignored a malformed registry event');
    });
    const subscribe = () =>
      subscriber.subscribe(this.channel).then(
        () => true,
        (error: unknown) => {
          // Redis is down at start-up: the next 'ready' subscribes (an outage is waited out, not fatal).
          this.logger.warn(`event subscriber: ${error instanceof Error ? error.message : String(error)}`);
          return false;
        },
      );
    let ready = false;
    let subscribed = false;
    subscriber.on('ready', () => {
      if (ready) this.resyncs.next();
      ready = true;
      if (!subscribed) void subscribe().then((ok) => (subscribed = ok));
    });
    subscribed = await subscribe();
  }

  /** Publishes after the change is committed; a failed publish is logged, never fails the request. */
  async publish(type: RegistryEventType, agentId: string, data: Record<string, unknown> = {}): Promise<void> {
    const event: RegistryEvent = { type, agent_id: agentId, at: new Date().toISOString(), origin: this.origin, data };
    try {
      await (this.redis as LoggingRedis).registryLogPublish(
        this.logKey,
        JSON.stringify(event),
        EVENT_LOG_LENGTH,
        this.channel,
      );
    } catch (error) {
      this.logger.warn(
        `could not publish ${type} for ${agentId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  onModuleDestroy(): void {
    // Ends every open SSE response, so the HTTP server can close.
    this.closing.next();
    this.closing.complete();
    this.subject.complete();
    this.resyncs.complete();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.subscriber && this.subscriber.status !== 'end')
      await this.subscriber.quit().catch(() => this.subscriber?.disconnect());
  }
}
