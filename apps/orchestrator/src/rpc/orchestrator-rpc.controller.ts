import { Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { createValidationPipe } from '@app/common';
import { OrchestratorPatterns } from '@app/contracts';
import { RedisStreamsExceptionFilter } from '@app/transport';
import { CreateTaskDto } from '../tasks/dto/create-task.dto';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { RunRefDto, StartWorkflowDto, TaskRefDto } from './rpc.dto';
import { actorOf, AuditService, AuthGuard, CurrentPrincipal, Principal, RequireScopes } from '@app/auth';

/**
 * The orchestrator for other backends: the same operations as HTTP, over the Redis Streams
 * transport (ORCHESTRATOR_RPC_ADDRESS) and over Nest's built-in Redis transport. Payloads are
 * validated; a bad one is answered with {status: "error", message, errors} instead of retried.
 */
@Controller()
@UseGuards(AuthGuard)
@UsePipes(createValidationPipe())
@UseFilters(new RedisStreamsExceptionFilter())
export class OrchestratorRpcController {
  constructor(
    private readonly tasks: TasksService,
    private readonly workflows: WorkflowsService,
    private readonly audit: AuditService,
  ) {}

  /** RPC mutations are audited like HTTP ones: one row with the outcome (refusals: the guard). */
  private async audited<T>(
    principal: Principal | undefined,
    action: string,
    resource: string,
    work: Promise<T>,
  ): Promise<T> {
    try {
      const result = await work;
      await this.audit.recordQuietly({ principal, action, resource, requestId: null, outcome: 'success' });
      return result;
    } catch (error) {
      await this.audit.recordQuietly({ principal, action, resource, requestId: null, outcome: 'failure' });
      throw error;
    }
  }

  @MessagePattern(OrchestratorPatterns.SubmitTask)
  @RequireScopes('tasks:write')
  submit(@Payload() dto: CreateTaskDto, @CurrentPrincipal() principal: Principal | undefined) {
    return this.audited(principal, 'rpc tasks.submit', 'tasks', this.tasks.submit(dto, actorOf(principal)));
  }

  @MessagePattern(OrchestratorPatterns.GetTask)
  @RequireScopes('tasks:read')
  get(@Payload() dto: TaskRefDto) {
    return this.tasks.get(dto.task_id);
  }

  @MessagePattern(OrchestratorPatterns.CancelTask)
  @RequireScopes('tasks:write')
  cancel(@Payload() dto: TaskRefDto, @CurrentPrincipal() principal: Principal | undefined) {
    return this.audited(principal, 'rpc tasks.cancel', `task:${dto.task_id}`, this.tasks.cancel(dto.task_id));
  }

  @MessagePattern(OrchestratorPatterns.StartWorkflow)
  @RequireScopes('workflows:run')
  startWorkflow(@Payload() dto: StartWorkflowDto, @CurrentPrincipal() principal: Principal | undefined) {
    return this.workflows.start(dto.name, dto.input, { principal }, { budget: dto.budget });
  }

  @MessagePattern(OrchestratorPatterns.GetWorkflowRun)
  @RequireScopes('tasks:read')
  getRun(@Payload() dto: RunRefDto) {
    return this.workflows.get(dto.run_id);
  }
}
