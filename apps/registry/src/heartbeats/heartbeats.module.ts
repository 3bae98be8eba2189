import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { EventsModule } from '../events/events.module';
import { FreshnessModule } from '../freshness/freshness.module';
import { RegistryMetricsModule } from '../metrics/registry-metrics.module';
import { HeartbeatFlusher } from './heartbeat-flusher.service';
import { HeartbeatsController } from './heartbeats.controller';
import { HeartbeatsRepository } from './heartbeats.repository';
import { HeartbeatsService } from './heartbeats.service';

@Module({
  imports: [AgentsModule, EventsModule, FreshnessModule, RegistryMetricsModule],
  controllers: [HeartbeatsController],
  providers: [HeartbeatsRepository, HeartbeatFlusher, HeartbeatsService],
  exports: [HeartbeatsService],
})
export class HeartbeatsModule {}
