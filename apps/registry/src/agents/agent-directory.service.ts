import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { AgentStatus } from '@app/contracts';
import { RegistryEventsService } from '../events/registry-events.service';
import { AgentsRepository } from './agents.repository';

/**
 * In-process cache of which agents exist and their status, so a heartbeat needs no database
 * round trip. Filled lazily from PostgreSQL; this replica's writes update it directly, other
 * replicas' writes reach it through registry events (and a lost subscription clears it). A miss
 * costs one SELECT; unknown agents are never cached, so a registration elsewhere is seen at once.
 */
@Injectable()
export class AgentDirectory implements OnModuleInit, OnModuleDestroy {
  private readonly statuses = new Map<string, AgentStatus>();
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly repository: AgentsRepository,
    private readonly events: RegistryEventsService,
  ) {}

  onModuleInit(): void {
    this.subscriptions = [
      this.events.events$.subscribe((event) => {
        if (event.type !== 'load_changed') this.statuses.delete(event.agent_id);
      }),
      this.events.resync$.subscribe(() => this.statuses.clear()),
    ];
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  /** The agent's status, or undefined when it is not registered. */
  async status(agentId: string): Promise<AgentStatus | undefined> {
    const cached = this.statuses.get(agentId);
    if (cached !== undefined) return cached;
    const status = await this.repository.findStatus(agentId);
    if (status !== undefined) this.statuses.set(agentId, status);
    return status;
  }

  set(agentId: string, status: AgentStatus): void {
    this.statuses.set(agentId, status);
  }

  forget(agentId: string): void {
    this.statuses.delete(agentId);
  }
}
