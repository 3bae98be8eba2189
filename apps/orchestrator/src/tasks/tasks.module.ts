import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module';
import { LeaseReconciler } from '../capacity/lease-reconciler.service';
import { OrchestratorMetricsModule } from '../metrics/orchestrator-metrics';
import { RoutingModule } from '../routing/routing.module';
import { BacklogLimit } from './backlog-limit.service';
import { DeadlineSweeper } from './deadline-sweeper.service';
import { Dispatcher } from './dispatcher.service';
import { HistoryWriter } from './history-writer.service';
import { TaskEventsHub } from './task-events.hub';
import { TaskResultsController } from './task-results.controller';
import { TasksController } from './tasks.controller';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';

@Module({
  imports: [BusModule, RoutingModule, OrchestratorMetricsModule],
  controllers: [TasksController, TaskResultsController],
  providers: [
    HistoryWriter,
    BacklogLimit,
    TasksRepository,
    Dispatcher,
    DeadlineSweeper,
    TaskEventsHub,
    TasksService,
    LeaseReconciler,
  ],
  exports: [TasksService, TaskEventsHub, Dispatcher],
})
export class TasksModule {}
