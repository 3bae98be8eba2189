import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { CardsController } from './cards.controller';

/** A2A agent cards served by the registry. */
@Module({ imports: [AgentsModule], controllers: [CardsController] })
export class CardsModule {}
