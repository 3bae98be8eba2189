import type { TransportEnvelope } from './envelope';
import type { EnvelopeSigner } from './envelope-signature';
import { hostname } from 'node:os';
import { RedisOptions } from 'ioredis';
import { DEFAULT_BACKOFF, RetryBackoff } from './backoff';
import { DEFAULT_MAX_ENVELOPE_DEPTH } from './entry-codec';
import { assertValidAddress } from './keys';
import { DeadLetterRetention } from './stream-hygiene';

export interface StreamAddress {
  /** Agent id (or any address) whose stream this server consumes, e.g. `DEV-001`. */
  address: string;
  /** Most entries of this address in flight at once on this instance (reads only free slots). */
  concurrency?: number;
}

export interface TrimPolicy {
  /** Keep at most about this many entries; never trims an entry some group has not acknowledged. */
  maxLength: number;
}

export interface RedisStreamsServerOptions {
  /** redis://host:port/db; default redis://127.0.0.1:6379. */
  url?: string;
  /** Extra ioredis options (TLS, password, ...). */
  redis?: RedisOptions;
  /** Key prefix (tests isolate themselves with a random one). Default `ea`. */
  keyPrefix?: string;
  /** Streams this instance consumes, each with its own concurrency (default 1). */
  addresses: Array<StreamAddress | string>;
  /** Consumer group shared by all replicas of an address. Default `workers`. */
  group?: string;
  /**
   * This instance's consumer name, stable across restarts so a restarted instance re-reads its own pending
   * entries first (a StatefulSet pod name is ideal). Default: the host name, with `-2`, `-3`... for further
   * servers in the same process.
   */
  consumerName?: string;
  /** Handler executions before an entry is dead-lettered. Default 5. */
  maxDeliveries?: number;
  /** Idle time after which a dead consumer's pending entries are reclaimed by a live one. Default 30 s. */
  visibilityTimeoutMs?: number;
  /** How often to look for reclaimable entries. Default visibilityTimeoutMs / 2. */
  claimIntervalMs?: number;
  retryBackoff?: Partial<RetryBackoff>;
  /** XREADGROUP BLOCK time; bounds how long stopping the read loop takes. Default 1000 ms. */
  blockMs?: number;
  /** Length bound for the consumed streams; `false` disables trimming. Default { maxLength: 10000 }. */
  trim?: TrimPolicy | false;
  /** Trimming, pending-gauge refresh and stale broadcast-group cleanup interval. Default 15 s. */
  maintenanceIntervalMs?: number;
  /** Join broadcast (`to_agent: "ALL"`): one consumer group per live instance. Default false. */
  broadcast?: boolean | { concurrency: number };
  /** A broadcast group whose consumers were all idle this long belongs to a dead instance and is removed. Default 10 min. */
  broadcastGroupTtlMs?: number;
  /** TTL of a reply stream after the last reply (clients that died leave nothing behind). Default 1 h. */
  replyTtlMs?: number;
  /**
   * Checks who sent an entry before its handler runs; a returned reason dead-letters the entry
   * as `unauthenticated` (the handler never sees it). Default: every entry is accepted.
   */
  authenticate?: (envelope: TransportEnvelope, address: string) => Promise<string | undefined> | string | undefined;
  /**
   * Whether a handler's error means a dependency is down (e.g. PostgreSQL unreachable) rather than that the message
   * failed. Such an entry is not counted toward maxDeliveries: the address stops taking new entries and the same
   * entry is retried in place, with backoff, until the dependency answers. Default: never.
   */
  isUnavailable?: (error: unknown) => boolean;
  /** Backoff while a dependency is unavailable. Default 250 ms doubling up to 5 s. */
  outageBackoff?: Partial<RetryBackoff>;
  /** Dead letters kept per address: about `maxLength` at most, none older than `maxAgeMs`. Default 10,000 / 7 days. */
  deadLetterRetention?: Partial<DeadLetterRetention>;
  /** A consumer with no pending entries idle this long is a dead replica and leaves the group. Default 1 h. */
  deadConsumerIdleMs?: number;
  /** Deepest JSON an envelope may nest (payload included), checked before parsing. Default 66. */
  maxEnvelopeDepth?: number;
}

export interface ResolvedServerOptions {
  url: string;
  redis: RedisOptions;
  keyPrefix: string;
  addresses: Required<StreamAddress>[];
  group: string;
  consumerName: string;
  maxDeliveries: number;
  visibilityTimeoutMs: number;
  claimIntervalMs: number;
  retryBackoff: RetryBackoff;
  blockMs: number;
  trim: TrimPolicy | false;
  maintenanceIntervalMs: number;
  broadcast: { concurrency: number } | false;
  broadcastGroupTtlMs: number;
  replyTtlMs: number;
  isUnavailable: (error: unknown) => boolean;
  outageBackoff: RetryBackoff;
  deadLetterRetention: DeadLetterRetention;
  deadConsumerIdleMs: number;
  maxEnvelopeDepth: number;
}

const OUTAGE_BACKOFF: RetryBackoff = { initialMs: 250, maxMs: 5_000, factor: 2, jitter: true };

let serversInProcess = 0;

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`RedisStreamsServer option ${name} must be a positive integer, got ${value}`);
  return value;
}

export function resolveServerOptions(options: RedisStreamsServerOptions): ResolvedServerOptions {
  serversInProcess += 1;
  const addresses = options.addresses.map((a) =>
    typeof a === 'string' ? { address: a, concurrency: 1 } : { concurrency: 1, ...a },
  );
  if (addresses.length === 0 && !options.broadcast) throw new Error('RedisStreamsServer needs at least one address');
  const seen = new Set<string>();
  for (const a of addresses) {
    assertValidAddress(a.address);
    positiveInt(`concurrency of ${a.address}`, a.concurrency);
    if (seen.has(a.address)) throw new Error(`RedisStreamsServer address ${a.address} listed twice`);
    seen.add(a.address);
  }
  const visibilityTimeoutMs = positiveInt('visibilityTimeoutMs', options.visibilityTimeoutMs ?? 30_000);
  const consumerName =
    options.consumerName ?? (serversInProcess === 1 ? hostname() : `${hostname()}-${serversInProcess}`);
  assertValidAddress(consumerName);
  return {
    url: options.url ?? 'redis://127.0.0.1:6379',
    redis: options.redis ?? {},
    keyPrefix: options.keyPrefix ?? 'ea',
    addresses,
    group: options.group ?? 'workers',
    consumerName,
    maxDeliveries: positiveInt('maxDeliveries', options.maxDeliveries ?? 5),
    visibilityTimeoutMs,
    claimIntervalMs: positiveInt(
      'claimIntervalMs',
      options.claimIntervalMs ?? Math.max(50, Math.floor(visibilityTimeoutMs / 2)),
    ),
    retryBackoff: { ...DEFAULT_BACKOFF, ...options.retryBackoff },
    blockMs: positiveInt('blockMs', options.blockMs ?? 1000),
    trim: options.trim === undefined ? { maxLength: 10_000 } : options.trim,
    maintenanceIntervalMs: positiveInt('maintenanceIntervalMs', options.maintenanceIntervalMs ?? 15_000),
    broadcast: options.broadcast === true ? { concurrency: 1 } : options.broadcast ? options.broadcast : false,
    broadcastGroupTtlMs: positiveInt('broadcastGroupTtlMs', options.broadcastGroupTtlMs ?? 600_000),
    replyTtlMs: positiveInt('replyTtlMs', options.replyTtlMs ?? 3_600_000),
    isUnavailable: options.isUnavailable ?? (() => false),
    outageBackoff: { ...OUTAGE_BACKOFF, ...options.outageBackoff },
    deadLetterRetention: {
      maxLength: positiveInt('deadLetterRetention.maxLength', options.deadLetterRetention?.maxLength ?? 10_000),
      maxAgeMs: positiveInt('deadLetterRetention.maxAgeMs', options.deadLetterRetention?.maxAgeMs ?? 7 * 86_400_000),
    },
    deadConsumerIdleMs: positiveInt('deadConsumerIdleMs', options.deadConsumerIdleMs ?? 3_600_000),
    maxEnvelopeDepth: positiveInt('maxEnvelopeDepth', options.maxEnvelopeDepth ?? DEFAULT_MAX_ENVELOPE_DEPTH),
  };
}

export interface RedisStreamsClientOptions {
  url?: string;
  redis?: RedisOptions;
  keyPrefix?: string;
  /** Address used when a call names none (`client.send(...)` without `to()`/`StreamsRecord`). */
  defaultTarget?: string;
  /** `from_agent` of every envelope this client writes. Default `client`. */
  from?: string;
  /** Signs every envelope this client writes (agent hosts: their credential). */
  signer?: EnvelopeSigner;
  /** `send` fails with TransportTimeoutError after this long without a reply. Default 30 s. */
  requestTimeoutMs?: number;
  /** `emit`/`send` fail with TransportUnavailableError when Redis has not acknowledged the append in this time. Default 5 s. */
  appendTimeoutMs?: number;
  /** Reply-stream read block time. Default 1000 ms. */
  blockMs?: number;
}

export interface ResolvedClientOptions {
  url: string;
  redis: RedisOptions;
  keyPrefix: string;
  defaultTarget: string | undefined;
  from: string;
  signer: EnvelopeSigner | undefined;
  requestTimeoutMs: number;
  appendTimeoutMs: number;
  blockMs: number;
}

export function resolveClientOptions(options: RedisStreamsClientOptions = {}): ResolvedClientOptions {
  if (options.defaultTarget !== undefined) assertValidAddress(options.defaultTarget);
  return {
    url: options.url ?? 'redis://127.0.0.1:6379',
    redis: options.redis ?? {},
    keyPrefix: options.keyPrefix ?? 'ea',
    defaultTarget: options.defaultTarget,
    from: options.from ?? 'client',
    signer: options.signer,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    appendTimeoutMs: options.appendTimeoutMs ?? 5_000,
    blockMs: options.blockMs ?? 1000,
  };
}
