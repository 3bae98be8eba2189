import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { FreshnessStore } from '../freshness/freshness.store';
import { HeartbeatsRepository } from './heartbeats.repository';

export const FLUSH_INTERVAL_MS = 1_000;
const MAX_BATCH = 5_000;

/**
 * Copies heartbeat freshness from Redis to PostgreSQL (agent_registry.last_heartbeat,
 * agent_load) in one batched statement per second, so PostgreSQL follows the fleet without a
 * commit per heartbeat. Values are read back from Redis at flush time, so the newest wins even
 * when several replicas flush the same agent.
 */
@Injectable()
export class HeartbeatFlusher implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(HeartbeatFlusher.name);
  private dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly freshness: FreshnessStore,
    private readonly repository: HeartbeatsRepository,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  markDirty(agentId: string): void {
    this.dirty.add(agentId);
  }

  get pending(): number {
    return this.dirty.size;
  }

  /** Flushes what is dirty now; concurrent calls share one run. */
  flush(): Promise<void> {
    this.running ??= this.flushOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async flushOnce(): Promise<void> {
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty].slice(0, MAX_BATCH).sort();
    for (const id of ids) this.dirty.delete(id);
    try {
      const fresh = await this.freshness.read(ids);
      await this.repository.flush(ids.map((agentId) => ({ agentId, ...fresh.get(agentId) })));
    } catch (error) {
      // Keep them for the next tick; Redis still answers reads exactly meanwhile.
      for (const id of ids) this.dirty.add(id);
      this.logger.warn(
        `heartbeat flush of ${ids.length} agents failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    if (this.dirty.size > 0) await this.flush();
  }
}
