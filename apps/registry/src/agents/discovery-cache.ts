import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { RegistryEventsService } from '../events/registry-events.service';

export const DISCOVERY_CACHE_TTL_MS = 1_000;
const MAX_ENTRIES = 1_000;

interface Entry {
  value: Promise<unknown>;
  settled: boolean;
  expiresAt: number;
  refreshing: boolean;
}

/**
 * Discovery answers kept in process. Everything that can change one publishes a registry event
 * (registration, status, TTL expiry, revival, deregistration, a load report, a heartbeat whose load
 * differs from the previous one), and any event clears the cache; this replica's own writes clear
 * it synchronously. So an answer is exact as soon as events arrive. The TTL only bounds staleness if
 * an event was lost: an expired entry is still served while one background refresh replaces it, so
 * discovery waits on PostgreSQL and Redis only after a change.
 */
@Injectable()
export class DiscoveryCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DiscoveryCache.name);
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private subscriptions: Subscription[] = [];
  /** The clock; tests replace it. */
  now: () => number = Date.now;

  constructor(private readonly events: RegistryEventsService) {}

  onModuleInit(): void {
    this.subscriptions = [
      this.events.events$.subscribe(() => this.clear()),
      this.events.resync$.subscribe(() => this.clear()),
    ];
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  /** Concurrent misses for one key share one load; a failed load is not kept. */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.settled && !hit.refreshing && hit.expiresAt <= this.now()) this.refresh(key, hit, load);
      return hit.value as Promise<T>;
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const entry: Entry = { value: load(), settled: false, expiresAt: Infinity, refreshing: false };
    this.entries.set(key, entry);
    entry.value.then(
      () => {
        entry.settled = true;
        entry.expiresAt = this.now() + DISCOVERY_CACHE_TTL_MS;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value as Promise<T>;
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  private refresh<T>(key: string, entry: Entry, load: () => Promise<T>): void {
    entry.refreshing = true;
    const generation = this.generation;
    load().then(
      (value) => {
        // A clear() since the refresh started means this value may predate a change: drop it.
        if (generation !== this.generation || this.entries.get(key) !== entry) return;
        this.entries.set(key, {
          value: Promise.resolve(value),
          settled: true,
          expiresAt: this.now() + DISCOVERY_CACHE_TTL_MS,
          refreshing: false,
        });
      },
      (error: unknown) => {
        entry.refreshing = false;
        this.logger.warn(
          `discovery refresh of ${key} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      },
    );
  }
}
