import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { OrchestratorRpcController } from './orchestrator-rpc.controller';

@Module({ imports: [TasksModule, WorkflowsModule], controllers: [OrchestratorRpcController] })
export class RpcModule {}
