import type { RedisConnection } from '../redis-connection';

export type StreamEntry = [id: string, fields: string[] | null];
export type ReadReply = [key: string, entries: StreamEntry[]][] | null;

/** A retry waiting for its backoff; `run` requeues it now (drain does, instead of waiting). */
export interface PendingRetry {
  timer: NodeJS.Timeout;
  run: () => Promise<void>;
}

/**
 * One consumed stream: an address (or the broadcast stream) read through one consumer group. The server's parts
 * (consumer loop, delivery policy, acks, retries, maintenance) share this state; each field names its owner.
 */
export interface Lane {
  address: string;
  key: string;
  dlqKey: string;
  group: string;
  /** Where a fresh group starts: `0` for agent streams (keep what was sent before any consumer existed), `$` for broadcast. */
  startId: string;
  concurrency: number;
  /** The lane's own connection: XREADGROUP blocks it. */
  reader: RedisConnection;
  /** Delivery policy: entries whose handler runs now. */
  inFlight: number;
  /** Entries this instance owns: in flight or waiting for a retry. Their idle time is reset (lease renewal). */
  held: Set<string>;
  /** Retry scheduler: entries waiting for their backoff, by entry id. */
  retries: Map<string, PendingRetry>;
  /** Consumer loop: waits here while every slot is taken. */
  slotWaiters: Array<() => void>;
  /** Drain: waits here until nothing is in flight or being acknowledged. */
  idleWaiters: Array<() => void>;
  /** Ack batcher: ids to acknowledge on the next tick. */
  acks: string[];
  /** Acks queued or on the wire. */
  acking: number;
  ackScheduled: boolean;
  loop?: Promise<void>;
  /** Consumer loop: when to look for dead consumers' entries next, and where XAUTOCLAIM resumes. */
  nextClaimAt: number;
  claimCursor: string;
  /** A dependency of the handlers is down: take no new entries before this time. */
  pausedUntil: number;
}

/** What a lane is made from; the rest of its state starts empty. */
export type LaneSpec = Pick<Lane, 'address' | 'key' | 'dlqKey' | 'group' | 'startId' | 'concurrency' | 'reader'>;

export function newLane(spec: LaneSpec): Lane {
  return {
    address: spec.address,
    key: spec.key,
    dlqKey: spec.dlqKey,
    group: spec.group,
    startId: spec.startId,
    concurrency: spec.concurrency,
    reader: spec.reader,
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

export function isIdle(lane: Lane): boolean {
  return lane.inFlight === 0 && lane.acking === 0;
}

export function wake(waiters: Array<() => void>): void {
  for (const w of waiters.splice(0)) w();
}
