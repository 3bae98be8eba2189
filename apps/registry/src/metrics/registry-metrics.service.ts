import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge } from 'prom-client';

export const AGENTS_GAUGE = 'registry_agents';
export const HEARTBEATS_COUNTER = 'registry_heartbeats_received_total';
export const REMOTE_PROBES_COUNTER = 'registry_remote_probes_total';

@Injectable()
export class RegistryMetrics {
  constructor(
    @InjectMetric(AGENTS_GAUGE) private readonly agents: Gauge<string>,
    @InjectMetric(HEARTBEATS_COUNTER) private readonly heartbeats: Counter<string>,
    @InjectMetric(REMOTE_PROBES_COUNTER) private readonly probes: Counter<'agent_id' | 'outcome'>,
  ) {}

  /** A card probe of a remote A2A agent (docs/decisions/0102): `ok` or `failed`. */
  remoteProbed(agentId: string, outcome: 'ok' | 'failed'): void {
    this.probes.inc({ agent_id: agentId, outcome });
  }

  heartbeatReceived(): void {
    this.heartbeats.inc();
  }

  /** Replaces the whole gauge, so a role/status pair that dropped to zero disappears. */
  setAgentCounts(counts: readonly { role: string; status: string; count: number }[]): void {
    this.agents.reset();
    for (const c of counts) this.agents.set({ role: c.role, status: c.status }, c.count);
  }
}
