import { Body, Controller, Get, Headers, HttpCode, MessageEvent, Param, Post, Put, Sse } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { map, Observable } from 'rxjs';
import { lastEventId, withKeepAlive } from '@app/edge';
import { ResumeRunDto, RunIdParams, StartRunDto, WorkflowNameParams, WorkflowVersionParams } from './dto/workflow.dto';
import { WorkflowCatalog } from './definition/workflow-catalog';
import { WorkflowsService } from './workflows.service';
import {
  AllowStreamTicket,
  Audited,
  AuditAction,
  AuditScope,
  CurrentAudit,
  CurrentPrincipal,
  Principal,
  RequireScopes,
} from '@app/auth';

@ApiTags('workflows')
@Controller('api/workflows')
export class WorkflowsController {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly catalog: WorkflowCatalog,
  ) {}

  @Get()
  @RequireScopes('tasks:read')
  @ApiOperation({ summary: 'The workflow definitions loaded at start-up' })
  list() {
    return this.workflows.list();
  }

  @Get(':name')
  @RequireScopes('tasks:read')
  @ApiOperation({
    summary: 'One workflow definition (steps, edges, loops) with the JSON Schema of its input (input_schema)',
  })
  @ApiOkResponse({ description: '{name, description, input, start, steps, input_schema}' })
  definition(@Param() params: WorkflowNameParams) {
    return this.workflows.definition(params.name);
  }

  @Put(':name')
  @RequireScopes('workflows:admin')
  @ApiOperation({
    summary:
      'Create or update a workflow definition: validated like a file (400 listing every problem); a change is a new version, runs keep theirs',
  })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true, description: 'The definition, as in a workflow file' },
  })
  @ApiOkResponse({ description: '{name, version, created} (created false when it equals the newest version)' })
  put(
    @Param() params: WorkflowNameParams,
    @Body() body: Record<string, unknown>,
    @CurrentAudit() audit: AuditScope | undefined,
  ) {
    return this.catalog.put(params.name, body, audit);
  }

  @Get(':name/versions')
  @RequireScopes('tasks:read')
  @ApiOperation({ summary: 'Every version of a workflow definition: version, source (file or api), checksum, time' })
  versions(@Param() params: WorkflowNameParams) {
    return this.catalog.versions(params.name).then((versions) => ({ versions }));
  }

  @Get(':name/versions/:version')
  @RequireScopes('tasks:read')
  @ApiOperation({ summary: 'One version of a workflow definition, with the JSON Schema of its input' })
  version(@Param() params: WorkflowVersionParams) {
    return this.workflows.definition(params.name, params.version);
  }

  @Get('runs')
  @RequireScopes('tasks:read')
  @ApiOperation({ summary: 'Recent runs, newest first' })
  runs() {
    return this.workflows.recent();
  }

  @Get('runs/:run_id')
  @RequireScopes('tasks:read')
  @ApiOperation({ summary: 'A run with its steps, outputs and status (input_required while an approval waits)' })
  get(@Param() params: RunIdParams) {
    return this.workflows.get(params.run_id);
  }

  @Post('runs/:run_id/cancel')
  @RequireScopes('workflows:run')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a run and its outstanding tasks' })
  cancel(@Param() params: RunIdParams, @CurrentAudit() audit: AuditScope | undefined) {
    return this.workflows.cancel(params.run_id, undefined, audit);
  }

  @Post('runs/:run_id/resume')
  @RequireScopes('workflows:approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the decision a waiting approval step asks for (A2A input-required)' })
  @Audited('service')
  @AuditAction('workflows.resume')
  resume(
    @Param() params: RunIdParams,
    @Body() dto: ResumeRunDto,
    @CurrentPrincipal() principal: Principal | undefined,
    @CurrentAudit() audit: AuditScope | undefined,
  ) {
    return this.workflows.resume(params.run_id, dto.decision, dto.comment, { principal, audit });
  }

  @Sse('runs/:run_id/events')
  @RequireScopes('tasks:read')
  @AllowStreamTicket()
  @ApiOperation({ summary: "Server-Sent Events of the run's progress: history first, then live until it ends" })
  @ApiOkResponse({
    description:
      'text/event-stream; event types run_started, step_started, step_completed, step_failed, input_required, resumed, run_completed, run_failed, run_canceled; each event has an `id:`, a reconnect with Last-Event-ID gets exactly the events after it; `: keep-alive` comments every 15 s',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id (sent on reconnect)' })
  async events(
    @Param() params: RunIdParams,
    @Headers('last-event-id') lastId?: string,
  ): Promise<Observable<MessageEvent>> {
    const after = lastEventId(lastId, /^[0-9]{1,19}$/, '42');
    return withKeepAlive(
      (await this.workflows.events(params.run_id, after)).pipe(
        map((e): MessageEvent => ({ id: e.id, type: e.type, data: e })),
      ),
    );
  }

  @Post(':name/runs')
  @RequireScopes('workflows:run')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a run of a workflow with its input' })
  @Audited('service')
  @AuditAction('workflows.start')
  start(
    @Param() params: WorkflowNameParams,
    @Body() dto: StartRunDto,
    @CurrentPrincipal() principal: Principal | undefined,
    @CurrentAudit() audit: AuditScope | undefined,
  ) {
    return this.workflows.start(params.name, dto.input, { principal, audit }, { budget: dto.budget });
  }
}
