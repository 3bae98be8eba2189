import { Module } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { AGENTS_GAUGE, HEARTBEATS_COUNTER, RegistryMetrics, REMOTE_PROBES_COUNTER } from './registry-metrics.service';

@Module({
  providers: [
    makeGaugeProvider({
      name: AGENTS_GAUGE,
      help: 'Registered agents by role and status',
      labelNames: ['role', 'status'],
    }),
    makeCounterProvider({ name: HEARTBEATS_COUNTER, help: 'Heartbeats received from agents' }),
    makeCounterProvider({
      name: REMOTE_PROBES_COUNTER,
      help: 'Card probes of remote A2A agents (their heartbeats) by outcome',
      labelNames: ['agent_id', 'outcome'],
    }),
    RegistryMetrics,
  ],
  exports: [RegistryMetrics],
})
export class RegistryMetricsModule {}
