import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge } from 'prom-client';

export const AGENTS_GAUGE = 'registry_agents';
export const HEARTBEATS_COUNTER = 'registry_heartbeats_received_total';

@Injectable()
export class RegistryMetrics {
  constructor(
    @InjectMetric(AGENTS_GAUGE) private readonly agents: Gauge<string>,
    @InjectMetric(HEARTBEATS_COUNTER) private readonly heartbeats: Counter<string>,
  ) {}

  heartbeatReceived(): void {
    this.heartbeats.inc();
  }

  /** Replaces the whole gauge, so a role/status pair that dropped to zero disappears. */
  setAgentCounts(counts: readonly { role: string; status: string; count: number }[]): void {
    this.agents.reset();
    for (const c of counts) this.agents.set({ role: c.role, status: c.status }, c.count);
  }
}
