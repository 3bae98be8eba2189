import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module';
import { RegistryMetricsModule } from '../metrics/registry-metrics.module';
import { RemoteAgentsController } from './remote-agents.controller';
import { RemoteAgentsRepository } from './remote-agents.repository';
import { RemoteAgentsService } from './remote-agents.service';
import { RemoteProber } from './remote-prober.service';

/** Outside A2A agents: registration by card URL and liveness by probing (docs/decisions/0102). */
@Module({
  imports: [AgentsModule, HeartbeatsModule, RegistryMetricsModule],
  controllers: [RemoteAgentsController],
  providers: [RemoteAgentsRepository, RemoteAgentsService, RemoteProber],
})
export class RemoteModule {}
