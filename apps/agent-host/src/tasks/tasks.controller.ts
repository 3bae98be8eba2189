import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AgentIdParam, RunTaskDto } from './dto/run-task.dto';
import { HttpTasksService } from './http-tasks.service';
import { HostTaskView } from './task.view';
import { RequireScopes } from '@app/auth';

@ApiTags('tasks')
@Controller()
export class TasksController {
  constructor(private readonly tasks: HttpTasksService) {}

  // A direct run changes no PostgreSQL row in a transaction of its own (it executes and answers): its
  // audit row is written by the edge (AuditHook) right after, with the final status.
  @Post('task')
  @RequireScopes('tasks:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a task on the hosted agent and answer with the finished task (one hosted agent only)' })
  @ApiOkResponse({ description: 'The finished task: completed, failed (with every validation error) or canceled' })
  @ApiBadRequestResponse({
    description: 'Invalid body, or several agents are hosted here (use /agents/{agent_id}/task)',
  })
  @ApiServiceUnavailableResponse({ description: 'The agent is at capacity or the host is draining' })
  run(@Body() body: RunTaskDto): Promise<HostTaskView> {
    return this.tasks.runOnSingle(body);
  }

  @Post('agents/:agent_id/task')
  @RequireScopes('tasks:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a task on one hosted agent and answer with the finished task' })
  @ApiOkResponse({ description: 'The finished task' })
  @ApiNotFoundResponse({ description: 'The agent is not hosted here' })
  @ApiServiceUnavailableResponse({ description: 'The agent is at capacity or the host is draining' })
  runOn(@Param() params: AgentIdParam, @Body() body: RunTaskDto): Promise<HostTaskView> {
    return this.tasks.run(params.agent_id, body);
  }
}
