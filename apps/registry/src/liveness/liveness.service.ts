import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AgentDirectory } from '../agents/agent-directory.service';
import { DiscoveryCache } from '../agents/discovery-cache';
import { RegistryEventsService } from '../events/registry-events.service';
import { FreshnessStore } from '../freshness/freshness.store';
import { RegistryMetrics } from '../metrics/registry-metrics.service';
import { LivenessRepository } from './liveness.repository';
import { expiryCutoffMs } from './ttl';

/**
 * Marks agents offline when their heartbeat is older than HEARTBEAT_TTL_SECONDS + grace, every
 * LIVENESS_SWEEP_SECONDS. Safe on several replicas at once: Redis expires each agent atomically
 * and PostgreSQL only updates rows that are still stale. Also refreshes the agents gauge.
 */
@Injectable()
export class LivenessService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LivenessService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: LivenessRepository,
    private readonly freshness: FreshnessStore,
    private readonly directory: AgentDirectory,
    private readonly events: RegistryEventsService,
    private readonly metrics: RegistryMetrics,
    private readonly discoveryCache: DiscoveryCache,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.livenessSweepSeconds * 1000);
    this.timer.unref();
    void this.tick();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      await this.sweep(Date.now());
      this.metrics.setAgentCounts(await this.repository.countByRoleAndStatus());
    } catch (error) {
      this.logger.warn(`liveness sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** One sweep; returns the agents this replica marked offline. */
  async sweep(nowMs: number): Promise<string[]> {
    const cutoffMs = expiryCutoffMs(nowMs, this.config);
    const cutoff = new Date(cutoffMs);
    const candidates = await this.repository.staleCandidates(cutoff);
    const expired = await this.freshness.expire(candidates, cutoffMs);
    const marked = await this.repository.markOffline(expired, cutoff);
    if (marked.length > 0) this.discoveryCache.clear();
    for (const agent of marked) {
      this.directory.set(agent.agent_id, 'offline');
      this.logger.log(`${agent.agent_id} offline: no heartbeat since ${agent.last_heartbeat?.toISOString() ?? 'ever'}`);
      await this.events.publish('offline_by_ttl', agent.agent_id, {
        role: agent.role,
        previous: agent.previous,
        status: 'offline',
        last_heartbeat: agent.last_heartbeat?.toISOString() ?? null,
      });
    }
    return marked.map((a) => a.agent_id);
  }
}
