import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module';
import { LeaseReconciler } from '../capacity/lease-reconciler.service';
import { OrchestratorMetricsModule } from '../metrics/orchestrator-metrics';
import { RoutingModule } from '../routing/routing.module';
import { BacklogLimit } from './backlog-limit.service';
import { DeadlineSweeper } from './deadline-sweeper.service';
import { Dispatcher } from './dispatcher.service';
import { TaskEventsHub } from './task-events.hub';
import { TaskResultsController } from './task-results.controller';
import { TasksController } from './tasks.controller';
import { TaskMetricsRecorder } from './task-metrics.recorder';
import { TaskStore } from './store';
import { TasksService } from './tasks.service';

@Module({
  imports: [BusModule, RoutingModule, OrchestratorMetricsModule],
  controllers: [TasksController, TaskResultsController],
  providers: [
    TaskStore,
    BacklogLimit,
    TaskMetricsRecorder,
    Dispatcher,
    DeadlineSweeper,
    TaskEventsHub,
    TasksService,
    LeaseReconciler,
  ],
  exports: [TasksService, TaskStore, TaskEventsHub, Dispatcher],
})
export class TasksModule {}
