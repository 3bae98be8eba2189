import { Module } from '@nestjs/common';
import { OrchestratorMetricsModule } from '../metrics/orchestrator-metrics';
import { TasksModule } from '../tasks/tasks.module';
import { WorkflowCatalog } from './definition/workflow-catalog';
import { OpenSpans } from '../tracing/open-spans';
import { UsageModule } from '../usage/usage.module';
import { WORKFLOW_DEFINITIONS, workflowDefinitionsProvider } from './workflow-definitions.provider';
import { WorkflowRunsRepository } from './workflow-runs.repository';
import { WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';
import { RunChanges } from './runs/run-changes';
import { RunCommands } from './runs/run-commands';
import { RunEventStream } from './runs/run-event-stream';
import { RunQueries } from './runs/run-queries';
import { RunStarter } from './runs/run-starter';
import { TaskOutcomeFollower } from './runs/task-outcome-follower';

@Module({
  imports: [TasksModule, OrchestratorMetricsModule, UsageModule],
  controllers: [WorkflowsController],
  providers: [
    workflowDefinitionsProvider,
    WorkflowCatalog,
    WorkflowRunsRepository,
    OpenSpans,
    RunEventStream,
    RunChanges,
    RunStarter,
    RunCommands,
    RunQueries,
    TaskOutcomeFollower,
    WorkflowsService,
  ],
  exports: [WorkflowsService, WORKFLOW_DEFINITIONS],
})
export class WorkflowsModule {}
