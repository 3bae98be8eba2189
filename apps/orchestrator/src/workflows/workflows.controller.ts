import { Body, Controller, Get, HttpCode, MessageEvent, Param, Post, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { map, Observable } from 'rxjs';
import { ResumeRunDto, RunIdParams, StartRunDto, WorkflowNameParams } from './dto/workflow.dto';
import { WorkflowsService } from './workflows.service';

@ApiTags('workflows')
@Controller('api/workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Get()
  @ApiOperation({ summary: 'The workflow definitions loaded at start-up' })
  list() {
    return this.workflows.list();
  }

  @Get('runs')
  @ApiOperation({ summary: 'Recent runs, newest first' })
  runs() {
    return this.workflows.recent();
  }

  @Get('runs/:run_id')
  @ApiOperation({ summary: 'A run with its steps, outputs and status (input_required while an approval waits)' })
  get(@Param() params: RunIdParams) {
    return this.workflows.get(params.run_id);
  }

  @Post('runs/:run_id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a run and its outstanding tasks' })
  cancel(@Param() params: RunIdParams) {
    return this.workflows.cancel(params.run_id);
  }

  @Post('runs/:run_id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the decision a waiting approval step asks for (A2A input-required)' })
  resume(@Param() params: RunIdParams, @Body() dto: ResumeRunDto) {
    return this.workflows.resume(params.run_id, dto.decision, dto.comment);
  }

  @Sse('runs/:run_id/events')
  @ApiOperation({ summary: "Server-Sent Events of the run's progress: history first, then live until it ends" })
  @ApiOkResponse({
    description:
      'text/event-stream; event types run_started, step_started, step_completed, step_failed, input_required, resumed, run_completed, run_failed, run_canceled',
  })
  async events(@Param() params: RunIdParams): Promise<Observable<MessageEvent>> {
    return (await this.workflows.events(params.run_id)).pipe(
      map((e): MessageEvent => ({ id: e.id, type: e.type, data: e })),
    );
  }

  @Post(':name/runs')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a run of a workflow with its input' })
  start(@Param() params: WorkflowNameParams, @Body() dto: StartRunDto) {
    return this.workflows.start(params.name, dto.input, dto.budget);
  }
}
