import { Module } from '@nestjs/common';
import { OrchestratorMetricsModule } from '../metrics/orchestrator-metrics';
import { TasksModule } from '../tasks/tasks.module';
import { WorkflowCatalog } from './definition/workflow-catalog';
import { workflowDefinitionsProvider } from './workflow-definitions.provider';
import { WorkflowRunsRepository } from './workflow-runs.repository';
import { WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';

@Module({
  imports: [TasksModule, OrchestratorMetricsModule],
  controllers: [WorkflowsController],
  providers: [workflowDefinitionsProvider, WorkflowCatalog, WorkflowRunsRepository, WorkflowsService],
  exports: [WorkflowsService],
})
export class WorkflowsModule {}
