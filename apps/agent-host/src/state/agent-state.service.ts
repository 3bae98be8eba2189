import { KeyedSerializer } from '@app/edge';
import { Injectable, Logger } from '@nestjs/common';
import { HostedAgents } from '../hosting/hosted-agents';
import { AgentStateRepository } from './agent-state.repository';

/**
 * Persists each hosted agent's state after every task and restores it at start-up. `agent_state` references the
 * registry's row, so writes wait until the agent is registered (`enable`); a save that fails is retried by the next
 * save or by `enable`.
 */
@Injectable()
export class AgentStateService {
  private readonly log = new Logger(AgentStateService.name);
  private readonly dirty = new Set<string>();
  private readonly writable = new Set<string>();
  /** Saves of one agent are written in order, so an older snapshot never overwrites a newer one. */
  private readonly chains = new KeyedSerializer();

  constructor(
    private readonly repository: AgentStateRepository,
    private readonly agents: HostedAgents,
  ) {}

  async restoreAll(): Promise<void> {
    for (const { definition, runtime } of this.agents.list()) {
      const stored = await this.repository.load(definition.agent_id);
      if (stored === null) continue;
      runtime.restoreState(stored);
      this.log.log(`restored state of ${definition.agent_id}`);
    }
  }

  /** Writes the agent's current state (or keeps it for `enable` while unregistered); never throws. */
  save(agentId: string): Promise<void> {
    if (!this.writable.has(agentId)) {
      this.dirty.add(agentId);
      return Promise.resolve();
    }
    return this.write(agentId);
  }

  private write(agentId: string): Promise<void> {
    return this.chains.run(agentId, async () => {
      try {
        await this.repository.save(agentId, { ...this.agents.get(agentId).runtime.exportState() });
        this.dirty.delete(agentId);
      } catch (err) {
        this.dirty.add(agentId);
        this.log.warn(`saving state of ${agentId} failed (kept for the next save): ${(err as Error).message}`);
      }
    });
  }

  /** The registry has the agent's row now: write the state kept meanwhile. */
  async enable(agentId: string): Promise<void> {
    this.writable.add(agentId);
    if (this.dirty.has(agentId)) await this.save(agentId);
  }

  /** The registry forgot the agent (its state row went with it): hold writes until it is registered again. */
  disable(agentId: string): void {
    this.writable.delete(agentId);
  }

  /** Shutdown: waits for saves in progress, then tries every unsaved state once (the row may exist from an earlier run). */
  async flushAll(): Promise<void> {
    await this.chains.drain();
    await Promise.all([...this.dirty].map((id) => this.write(id)));
  }
}
