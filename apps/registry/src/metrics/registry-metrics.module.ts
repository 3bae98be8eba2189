import { Module } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { AGENTS_GAUGE, HEARTBEATS_COUNTER, RegistryMetrics } from './registry-metrics.service';

@Module({
  providers: [
    makeGaugeProvider({
      name: AGENTS_GAUGE,
      help: 'Registered agents by role and status',
      labelNames: ['role', 'status'],
    }),
    makeCounterProvider({ name: HEARTBEATS_COUNTER, help: 'Heartbeats received from agents' }),
    RegistryMetrics,
  ],
  exports: [RegistryMetrics],
})
export class RegistryMetricsModule {}
