import { Controller, UseFilters, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { createValidationPipe } from '@app/edge';
import { OrchestratorPatterns } from '@app/contracts';
import { RedisStreamsExceptionFilter } from '@app/transport';
import { CreateTaskDto } from '../tasks/dto/create-task.dto';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { RunRefDto, StartWorkflowDto, TaskRefDto } from './rpc.dto';
import {
  actorOf,
  AuditAction,
  AuditScope,
  AuthGuard,
  CurrentAudit,
  CurrentPrincipal,
  Principal,
  RequireScopes,
  RpcAuditInterceptor,
} from '@app/auth';

/**
 * The orchestrator for other backends: the same operations as HTTP, over the Redis Streams
 * transport (ORCHESTRATOR_RPC_ADDRESS) and over Nest's built-in Redis transport. Payloads are
 * validated; a bad one is answered with {status: "error", message, errors} instead of retried.
 */
@Controller()
@UseGuards(AuthGuard)
// Mutations (@AuditAction) leave one audit row each: in the change's transaction, else written here after it.
@UseInterceptors(RpcAuditInterceptor)
@UsePipes(createValidationPipe())
@UseFilters(new RedisStreamsExceptionFilter())
export class OrchestratorRpcController {
  constructor(
    private readonly tasks: TasksService,
    private readonly workflows: WorkflowsService,
  ) {}

  @MessagePattern(OrchestratorPatterns.SubmitTask)
  @RequireScopes('tasks:write')
  @AuditAction('rpc tasks.submit')
  submit(
    @Payload() dto: CreateTaskDto,
    @CurrentPrincipal() principal: Principal | undefined,
    @CurrentAudit() audit: AuditScope | undefined,
  ) {
    return this.tasks.submit(dto, actorOf(principal), audit);
  }

  @MessagePattern(OrchestratorPatterns.GetTask)
  @RequireScopes('tasks:read')
  get(@Payload() dto: TaskRefDto) {
    return this.tasks.get(dto.task_id);
  }

  @MessagePattern(OrchestratorPatterns.CancelTask)
  @RequireScopes('tasks:write')
  @AuditAction('rpc tasks.cancel')
  cancel(@Payload() dto: TaskRefDto, @CurrentAudit() audit: AuditScope | undefined) {
    return this.tasks.cancel(dto.task_id, undefined, audit);
  }

  @MessagePattern(OrchestratorPatterns.StartWorkflow)
  @RequireScopes('workflows:run')
  @AuditAction('rpc workflows.start')
  startWorkflow(
    @Payload() dto: StartWorkflowDto,
    @CurrentPrincipal() principal: Principal | undefined,
    @CurrentAudit() audit: AuditScope | undefined,
  ) {
    return this.workflows.start(dto.name, dto.input, { principal, audit }, { budget: dto.budget });
  }

  @MessagePattern(OrchestratorPatterns.GetWorkflowRun)
  @RequireScopes('tasks:read')
  getRun(@Payload() dto: RunRefDto) {
    return this.workflows.get(dto.run_id);
  }
}
