import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { RegistryEventsService } from './registry-events.service';

@Module({ controllers: [EventsController], providers: [RegistryEventsService], exports: [RegistryEventsService] })
export class EventsModule {}
