import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { FreshnessModule } from '../freshness/freshness.module';
import { AgentDirectory } from './agent-directory.service';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';
import { DiscoveryCache } from './discovery-cache';

@Module({
  imports: [EventsModule, FreshnessModule],
  controllers: [AgentsController],
  providers: [AgentsRepository, AgentDirectory, DiscoveryCache, AgentsService],
  exports: [AgentsRepository, AgentDirectory, DiscoveryCache, AgentsService],
})
export class AgentsModule {}
