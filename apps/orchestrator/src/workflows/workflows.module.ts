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

@Module({
  imports: [TasksModule, OrchestratorMetricsModule, UsageModule],
  controllers: [WorkflowsController],
  providers: [workflowDefinitionsProvider, WorkflowCatalog, WorkflowRunsRepository, WorkflowsService, OpenSpans],
  exports: [WorkflowsService, WORKFLOW_DEFINITIONS],
})
export class WorkflowsModule {}
