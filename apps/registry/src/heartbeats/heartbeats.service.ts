import { Injectable } from '@nestjs/common';
import { AgentDirectory } from '../agents/agent-directory.service';
import { agentNotFound } from '../agents/agent.errors';
import { DiscoveryCache } from '../agents/discovery-cache';
import { RegistryEventsService } from '../events/registry-events.service';
import { FreshnessStore } from '../freshness/freshness.store';
import { RegistryMetrics } from '../metrics/registry-metrics.service';
import { HeartbeatDto } from './dto/heartbeat.dto';
import { HeartbeatFlusher } from './heartbeat-flusher.service';
import { HeartbeatsRepository } from './heartbeats.repository';

/**
 * The hot path: an in-process existence check, one Redis script, no database commit. Only a beat
 * from an offline agent touches PostgreSQL synchronously (to bring it back online).
 */
@Injectable()
export class HeartbeatsService {
  constructor(
    private readonly directory: AgentDirectory,
    private readonly freshness: FreshnessStore,
    private readonly flusher: HeartbeatFlusher,
    private readonly repository: HeartbeatsRepository,
    private readonly events: RegistryEventsService,
    private readonly metrics: RegistryMetrics,
    private readonly discoveryCache: DiscoveryCache,
  ) {}

  async beat(agentId: string, body: HeartbeatDto): Promise<{ status: 'ok' }> {
    const status = await this.directory.status(agentId);
    if (status === undefined) throw agentNotFound(agentId);
    this.metrics.heartbeatReceived();
    const now = Date.now();
    const result = await this.freshness.beat(agentId, now, {
      currentTasks: body.current_tasks,
      maxTasks: body.max_tasks,
    });
    if (status === 'offline' || result.wasExpired) await this.revive(agentId, now);
    else this.flusher.markDirty(agentId);
    const loadChanged =
      (body.current_tasks !== undefined && body.current_tasks !== result.previousCurrentTasks) ||
      (body.max_tasks !== undefined && body.max_tasks !== result.previousMaxTasks);
    if (loadChanged) {
      // Discovery answers are cached until a change: this replica now, the others on the event.
      this.discoveryCache.clear();
      await this.events.publish('load_changed', agentId, {
        current_tasks: body.current_tasks,
        max_tasks: body.max_tasks,
        reason: 'heartbeat',
      });
    }
    return { status: 'ok' };
  }

  private async revive(agentId: string, now: number): Promise<void> {
    const revived = await this.repository.revive(agentId, new Date(now));
    if (!revived) {
      // Deregistered between the existence check and now.
      this.directory.forget(agentId);
      throw agentNotFound(agentId);
    }
    this.directory.set(agentId, revived.status);
    if (revived.previous !== revived.status) this.discoveryCache.clear();
    if (revived.previous !== revived.status) {
      await this.events.publish('status_changed', agentId, {
        role: revived.role,
        previous: revived.previous,
        status: revived.status,
        reason: 'heartbeat',
      });
    }
  }
}
