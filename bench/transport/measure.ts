/**
 * Measuring functions of the transport benchmark (issue 3), exported so other benchmarks can print the bare-bus
 * figures beside their own (bench/orchestrator picks the one export whose name starts with "measure").
 * Everything runs in this process against one Redis: producer, consumers, and the baselines (Nest's Redis
 * Pub/Sub transport, BullMQ) under the same conditions; handlers are no-ops that record enqueue-to-handled latency.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ClientRedis, ServerRedis } from '@nestjs/microservices';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsClient, RedisStreamsServer } from '@app/transport';
import { percentile } from '../support/stats';

export interface Figures {
  name: string;
  messages: number;
  msgs_per_s: number;
  p50_ms: number;
  p99_ms: number;
}

export interface BenchOptions {
  redisUrl: string;
  /** Messages per throughput run. */
  messages: number;
  /** Most sends awaiting their acknowledgement at once (the producer's window). */
  window: number;
  progress?: (line: string) => void;
}

const now = () => performance.timeOrigin + performance.now();

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Collects latencies and resolves when `expected` messages were handled. */
class Sink {
  readonly latencies: number[] = [];
  private done?: () => void;
  private readonly finished: Promise<void>;
  lastAt = 0;

  constructor(readonly expected: number) {
    this.finished = new Promise((r) => (this.done = r));
  }

  record(sentAt: number): void {
    const t = now();
    this.latencies.push(t - sentAt);
    this.lastAt = t;
    if (this.latencies.length === this.expected) this.done?.();
  }

  wait(timeoutMs: number, what: string): Promise<void> {
    return Promise.race([
      this.finished,
      new Promise<void>((_, reject) =>
        setTimeout(
          () => reject(new Error(`${what}: ${this.latencies.length}/${this.expected} handled in ${timeoutMs} ms`)),
          timeoutMs,
        ).unref(),
      ),
    ]);
  }

  figures(name: string, startedAt: number): Figures {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      name,
      messages: this.expected,
      msgs_per_s: Math.round(this.expected / ((this.lastAt - startedAt) / 1000)),
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(percentile(sorted, 99)),
    };
  }
}

/** Sends `count` messages with at most `window` unacknowledged sends. */
async function produce(count: number, window: number, send: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
}

async function deletePrefix(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

async function startStreamServers(
  redisUrl: string,
  prefix: string,
  consumers: number,
  onMessage: (sentAt: number) => void,
) {
  const servers: RedisStreamsServer[] = [];
  for (let i = 0; i < consumers; i++) {
    const server = new RedisStreamsServer({
      url: redisUrl,
      keyPrefix: prefix,
      addresses: [{ address: 'BENCH-001', concurrency: 256 }],
      consumerName: `bench-${i}`,
      blockMs: 500,
    });
    server.addHandler('bench.noop', (data: { t: number }) => Promise.resolve(onMessage(data.t)), true);
    await new Promise<void>((resolve, reject) =>
      server.listen((err?: unknown) => (err ? reject(new Error('listen failed')) : resolve())),
    );
    servers.push(server);
  }
  return servers;
}

/** This transport: N consumers (instances of one group) of one address, producer emitting as fast as acknowledged. */
export async function benchStreams(o: BenchOptions, consumers: number): Promise<Figures> {
  const prefix = `bench${randomUUID().slice(0, 8)}`;
  const warmup = 1_000;
  const sink = new Sink(o.messages + warmup);
  const servers = await startStreamServers(o.redisUrl, prefix, consumers, (t) => sink.record(t));
  const client = new RedisStreamsClient({
    url: o.redisUrl,
    keyPrefix: prefix,
    defaultTarget: 'BENCH-001',
    from: 'bench',
  });
  try {
    await client.connect();
    await produce(warmup, o.window, () => lastValueFrom(client.emit('bench.noop', { t: now() })));
    while (sink.latencies.length < warmup) await new Promise((r) => setTimeout(r, 5));
    sink.latencies.length = 0;
    (sink as { expected: number }).expected = o.messages;
    const startedAt = now();
    await produce(o.messages, o.window, () => lastValueFrom(client.emit('bench.noop', { t: now() })));
    await sink.wait(120_000, 'redis streams');
    return sink.figures(`redis-streams (this transport), ${consumers} consumer${consumers > 1 ? 's' : ''}`, startedAt);
  } finally {
    for (const s of servers) await s.close();
    await client.close();
    await deletePrefix(o.redisUrl, `${prefix}:*`);
  }
}

/** p50/p99 of this transport at a fixed offered load (messages/s) for `seconds`. */
export async function benchStreamsFixedRate(o: BenchOptions, rate: number, seconds: number): Promise<Figures> {
  const prefix = `bench${randomUUID().slice(0, 8)}`;
  const total = Math.round(rate * seconds);
  const sink = new Sink(total);
  const servers = await startStreamServers(o.redisUrl, prefix, 1, (t) => sink.record(t));
  const client = new RedisStreamsClient({
    url: o.redisUrl,
    keyPrefix: prefix,
    defaultTarget: 'BENCH-001',
    from: 'bench',
  });
  try {
    await client.connect();
    const startedAt = now();
    let sent = 0;
    const sends: Promise<unknown>[] = [];
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((now() - startedAt) / 1000) * rate));
        while (sent < due) {
          sends.push(lastValueFrom(client.emit('bench.noop', { t: now() })));
          sent++;
        }
        if (sent >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 1);
    });
    await Promise.all(sends);
    await sink.wait(30_000, 'fixed rate');
    const f = sink.figures(`redis-streams at ${rate} msgs/s offered`, startedAt);
    return { ...f, msgs_per_s: rate };
  } finally {
    for (const s of servers) await s.close();
    await client.close();
    await deletePrefix(o.redisUrl, `${prefix}:*`);
  }
}

/** Baseline for the latency goal: bare ioredis XADD -> XREADGROUP -> XACK (no envelope, no Nest) at the same rate. */
export async function benchRawStreamsFixedRate(o: BenchOptions, rate: number, seconds: number): Promise<Figures> {
  const key = `bench${randomUUID().slice(0, 8)}:{raw}:stream`;
  const total = Math.round(rate * seconds);
  const sink = new Sink(total);
  const producer = new Redis(o.redisUrl, { enableAutoPipelining: true });
  const reader = new Redis(o.redisUrl);
  const acker = new Redis(o.redisUrl, { enableAutoPipelining: true });
  await producer.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = (await reader.xreadgroup('GROUP', 'g', 'c', 'COUNT', 256, 'BLOCK', 200, 'STREAMS', key, '>')) as
        [string, [string, string[]][]][] | null;
      const entries = res?.[0]?.[1] ?? [];
      for (const [, fields] of entries) sink.record(Number(fields[1]));
      if (entries.length > 0) void acker.xack(key, 'g', ...entries.map(([id]) => id));
    }
  })();
  try {
    const startedAt = now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((now() - startedAt) / 1000) * rate));
        while (sent < due) {
          void producer.xadd(key, '*', 't', String(now()));
          sent++;
        }
        if (sent >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 1);
    });
    await sink.wait(30_000, 'raw fixed rate');
    return { ...sink.figures(`bare ioredis streams at ${rate} msgs/s (baseline)`, startedAt), msgs_per_s: rate };
  } finally {
    running = false;
    await loop;
    await producer.del(key);
    producer.disconnect();
    reader.disconnect();
    acker.disconnect();
  }
}

/** Nest's built-in Redis transport (Pub/Sub: ServerRedis/ClientRedis): the ceiling of a non-durable bus. */
export async function benchNestRedisPubSub(o: BenchOptions): Promise<Figures> {
  const url = new URL(o.redisUrl);
  const conn = { host: url.hostname, port: Number(url.port || 6379) };
  const pattern = `bench.noop.${randomUUID().slice(0, 8)}`;
  const sink = new Sink(o.messages);
  const server = new ServerRedis(conn);
  server.addHandler(pattern, (data: { t: number }) => Promise.resolve(sink.record(data.t)), true);
  await new Promise<void>((resolve, reject) =>
    server.listen((err?: unknown) => (err ? reject(new Error('listen failed')) : resolve())),
  );
  const client = new ClientRedis(conn);
  try {
    await client.connect();
    await new Promise((r) => setTimeout(r, 200)); // subscription settled
    const startedAt = now();
    await produce(o.messages, o.window, () => lastValueFrom(client.emit(pattern, { t: now() })));
    await sink.wait(120_000, 'nest redis pub/sub');
    return sink.figures('Nest Redis transport (Pub/Sub, not durable)', startedAt);
  } finally {
    await client.close();
    await server.close();
  }
}

/** BullMQ: a durable Redis queue, one worker with the same concurrency as one streams consumer. */
export async function benchBullmq(o: BenchOptions): Promise<Figures> {
  const url = new URL(o.redisUrl);
  const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const sink = new Sink(o.messages);
  const queue = new Queue(name, { connection });
  const worker = new Worker(name, (job) => Promise.resolve(sink.record((job.data as { t: number }).t)), {
    connection,
    concurrency: 256,
  });
  try {
    await worker.waitUntilReady();
    const startedAt = now();
    await produce(o.messages, o.window, () =>
      queue.add('noop', { t: now() }, { removeOnComplete: true, removeOnFail: true }),
    );
    await sink.wait(120_000, 'bullmq');
    return sink.figures('BullMQ (durable queue)', startedAt);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

/**
 * Bare-bus figures for other benchmarks: this transport's throughput with one consumer and its p99 at 1,000/s.
 * `seconds` bounds the fixed-rate run; `messages` the throughput run.
 */
export async function measureBareBus(
  options: { redisUrl?: string; seconds?: number; messages?: number } = {},
): Promise<{
  throughput: Figures;
  at_1000_per_s: Figures;
}> {
  const o: BenchOptions = {
    redisUrl: options.redisUrl ?? 'redis://127.0.0.1:6379',
    messages: options.messages ?? 10_000,
    window: 500,
  };
  const throughput = await benchStreams(o, 1);
  const at1000 = await benchStreamsFixedRate(o, 1_000, options.seconds ?? 3);
  return { throughput, at_1000_per_s: at1000 };
}
