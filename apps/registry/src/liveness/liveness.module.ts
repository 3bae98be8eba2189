import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { EventsModule } from '../events/events.module';
import { FreshnessModule } from '../freshness/freshness.module';
import { RegistryMetricsModule } from '../metrics/registry-metrics.module';
import { LivenessRepository } from './liveness.repository';
import { LivenessService } from './liveness.service';

@Module({
  imports: [AgentsModule, EventsModule, FreshnessModule, RegistryMetricsModule],
  providers: [LivenessRepository, LivenessService],
})
export class LivenessModule {}
