import { Body, Controller, Get, Headers, HttpCode, MessageEvent, Param, Post, Query, Res, Sse } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { lastEventId, withKeepAlive } from '@app/edge';
import { CreateTaskDto } from './dto/create-task.dto';
import { ListTasksQuery } from './dto/list-tasks.query';
import { TaskIdParams } from './dto/task-id.params';
import { TasksService } from './tasks.service';
import {
  actorOf,
  AllowStreamTicket,
  AuditScope,
  CurrentAudit,
  CurrentPrincipal,
  Principal,
  RequireScopes,
} from '@app/auth';

@ApiTags('tasks')
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @RequireScopes('tasks:write')
  @HttpCode(202)
  @ApiOperation({ summary: 'Submit a task: stored before the answer, then routed and dispatched' })
  @ApiResponse({ status: 202, description: '{task_id, status: "pending"}' })
  @ApiResponse({ status: 200, description: 'the idempotency_key already named a task: that task' })
  async submit(
    @Body() dto: CreateTaskDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal | undefined,
    @CurrentAudit() audit: AuditScope | undefined,
  ): Promise<{ task_id: string; status: string }> {
    const result = await this.tasks.submit(dto, actorOf(principal), audit);
    if (!result.created) void reply.status(200);
    return { task_id: result.task_id, status: result.status };
  }

  @Get()
  @RequireScopes('tasks:read')
  @ApiOperation({
    summary: 'List tasks, newest first (filters: status, agent_id, role, workflow_run_id; cursor pagination)',
  })
  list(@Query() query: ListTasksQuery) {
    return this.tasks.list(query);
  }

  @Get(':task_id')
  @RequireScopes('tasks:read')
  @ApiOperation({ summary: 'One task with its attempts and status history' })
  get(@Param() params: TaskIdParams) {
    return this.tasks.get(params.task_id);
  }

  @Post(':task_id/cancel')
  @RequireScopes('tasks:write')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Cancel: a task that has not started never will; a running one is asked to stop (it reports canceled)',
  })
  cancel(@Param() params: TaskIdParams, @CurrentAudit() audit: AuditScope | undefined) {
    return this.tasks.cancel(params.task_id, undefined, audit);
  }

  @Sse(':task_id/events')
  @RequireScopes('tasks:read')
  @AllowStreamTicket()
  @ApiOperation({ summary: 'Server-Sent Events of the task: its history first, then live changes until it ends' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id (sent on reconnect)' })
  @ApiOkResponse({
    description:
      'text/event-stream; event type = the change (accepted, dispatched, started, completed, ...); each event has an `id:`, and a reconnect with Last-Event-ID gets exactly the events after it; `: keep-alive` comments every 15 s',
  })
  async events(
    @Param() params: TaskIdParams,
    @Headers('last-event-id') lastId?: string,
  ): Promise<Observable<MessageEvent>> {
    const after = lastEventId(lastId, /^[0-9]{1,19}$/, '42');
    await this.tasks.get(params.task_id); // 404 before the stream opens
    return withKeepAlive(
      this.tasks.events(params.task_id, after).pipe(map((e): MessageEvent => ({ id: e.id, type: e.type, data: e }))),
    );
  }
}
