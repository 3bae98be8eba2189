import { Module } from '@nestjs/common';
import { SlotLeases } from '../capacity/slot-leases.service';
import { RoutingService } from './routing.service';

@Module({ providers: [SlotLeases, RoutingService], exports: [RoutingService, SlotLeases] })
export class RoutingModule {}
