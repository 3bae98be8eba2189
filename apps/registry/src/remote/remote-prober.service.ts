import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { hostname } from 'node:os';
import Redis from 'ioredis';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/persistence';
import { AgentsService } from '../agents/agents.service';
import { HeartbeatsService } from '../heartbeats/heartbeats.service';
import { RegistryMetrics } from '../metrics/registry-metrics.service';
import { fetchCard } from './card-fetcher';
import { RemoteAgentRow, RemoteAgentsRepository } from './remote-agents.repository';
import { RemoteAgentsService } from './remote-agents.service';

/**
 * Remote agents send no heartbeats: the registry fetches their card every A2A_REMOTE_PROBE_SECONDS
 * instead. A card that answers is a heartbeat (an offline agent comes back online); one that does
 * not marks the agent offline at once, like a missed TTL. Each agent's probe is claimed in Redis
 * (SET NX for one period), so however many registry replicas run, one probes a given agent.
 */
@Injectable()
export class RemoteProber implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(RemoteProber.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly repository: RemoteAgentsRepository,
    private readonly remote: RemoteAgentsService,
    private readonly heartbeats: HeartbeatsService,
    private readonly agents: AgentsService,
    private readonly metrics: RegistryMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.a2a.remote.probeSeconds * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= this.probeAll()
      .catch((err: unknown) => this.log.warn(`remote probe round failed: ${(err as Error).message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async probeAll(): Promise<void> {
    const agents = await this.repository.all();
    await Promise.all(agents.map((a) => this.probeIfClaimed(a)));
  }

  private async probeIfClaimed(agent: RemoteAgentRow): Promise<void> {
    // The claim lasts a little less than a period, so the next round (on any replica) can take it.
    const ttlMs = Math.max(500, this.config.a2a.remote.probeSeconds * 1000 - 200);
    const key = `${this.config.registryRedisPrefix}remote-probe:${agent.agent_id}`;
    const claimed = await this.redis.set(key, hostname(), 'PX', ttlMs, 'NX');
    if (claimed !== 'OK') return;
    await this.probe(agent);
  }

  /** One probe: the card answers → heartbeat; it does not → offline (with the reason in the metadata). */
  async probe(agent: RemoteAgentRow): Promise<'online' | 'offline'> {
    const at = new Date();
    try {
      const card = await fetchCard(agent.remote.card_url, this.remote.limits);
      if (card === null || typeof card !== 'object') throw new Error('the card is not a JSON object');
      await this.heartbeats.beat(agent.agent_id, {});
      this.metrics.remoteProbed(agent.agent_id, 'ok');
      if (agent.remote.last_probe_error) this.log.log(`${agent.agent_id} answers again at ${agent.remote.card_url}`);
      await this.repository.recordProbe(agent.agent_id, at, null);
      return 'online';
    } catch (err) {
      this.metrics.remoteProbed(agent.agent_id, 'failed');
      const reason = err instanceof DomainException || err instanceof Error ? err.message : String(err);
      if (agent.status !== 'offline') {
        this.log.warn(`${agent.agent_id} offline: its card did not answer (${reason})`);
        await this.agents.updateStatus(agent.agent_id, 'offline').catch(() => undefined);
      }
      await this.repository.recordProbe(agent.agent_id, at, reason.slice(0, 500));
      return 'offline';
    }
  }
}
