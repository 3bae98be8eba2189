import { Module } from '@nestjs/common';
import { TaskBus } from './task-bus.service';

@Module({ providers: [TaskBus], exports: [TaskBus] })
export class BusModule {}
