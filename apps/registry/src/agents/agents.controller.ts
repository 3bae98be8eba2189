import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AgentView } from './agent.view';
import { AgentsService, DiscoveryResult } from './agents.service';
import { AgentIdParams, RoleParams } from './dto/agent-id.params';
import { DiscoverByCapabilityQuery, DiscoverByRoleQuery } from './dto/discover.query';
import { ListAgentsQuery } from './dto/list-agents.query';
import { RegisterAgentDto } from './dto/register-agent.dto';
import { ReportLoadDto } from './dto/report-load.dto';
import { UpdateStatusDto } from './dto/update-status.dto';
import {
  ActsAsAgent,
  Audited,
  AuditScope,
  CurrentAudit,
  CurrentPrincipal,
  hasScope,
  Principal,
  RequireScopes,
} from '@app/auth';
import { checkAgainstCatalog } from './catalog-check';

// Every POST answers 200 as the seed's FastAPI service did. Static segments (discover, events)
// win over :agent_id in Fastify's router whatever the declaration order.
@ApiTags('agents')
@Controller('api/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post('register')
  @ActsAsAgent('body')
  @HttpCode(200)
  @ApiOperation({ summary: 'Register or re-register an agent (replaces host, port, metadata and capabilities)' })
  register(
    @Body() dto: RegisterAgentDto,
    @CurrentPrincipal() principal: Principal | undefined,
    @CurrentAudit() audit: AuditScope | undefined,
  ): Promise<{ status: 'registered'; agent_id: string }> {
    if (principal && !hasScope(principal, 'registry:admin')) checkAgainstCatalog(dto);
    return this.agents.register(dto, audit);
  }

  @Get()
  @RequireScopes('registry:read')
  @ApiOperation({ summary: 'List agents, filtered by role, status and capability' })
  list(@Query() query: ListAgentsQuery): Promise<{ agents: AgentView[]; total: number }> {
    return this.agents.list(query);
  }

  @Get('discover')
  @RequireScopes('registry:read')
  @ApiOperation({ summary: 'Online agents with a capability, ranked by free capacity then proficiency' })
  discoverByCapability(@Query() query: DiscoverByCapabilityQuery): Promise<DiscoveryResult> {
    return this.agents.discoverByCapability(query);
  }

  @Get('discover/:role')
  @RequireScopes('registry:read')
  @ApiOperation({ summary: 'Online agents of a role with free capacity, least busy first' })
  discoverByRole(@Param() params: RoleParams, @Query() query: DiscoverByRoleQuery): Promise<DiscoveryResult> {
    return this.agents.discoverByRole(params.role, query.max_load);
  }

  @Get(':agent_id')
  @RequireScopes('registry:read')
  @ApiOperation({ summary: 'One agent with its capabilities and load' })
  get(@Param() params: AgentIdParams): Promise<AgentView> {
    return this.agents.get(params.agent_id);
  }

  @Post(':agent_id/status')
  @ActsAsAgent()
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the status: online | offline | busy | error' })
  updateStatus(
    @Param() params: AgentIdParams,
    @Body() dto: UpdateStatusDto,
    @CurrentAudit() audit: AuditScope | undefined,
  ): Promise<{ status: 'updated' }> {
    return this.agents.updateStatus(params.agent_id, dto.status, audit);
  }

  @Post(':agent_id/load')
  @ActsAsAgent()
  @Audited('telemetry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report current tasks and, when a task finished, its duration' })
  reportLoad(@Param() params: AgentIdParams, @Body() dto: ReportLoadDto) {
    return this.agents.reportLoad(params.agent_id, dto);
  }

  @Delete(':agent_id')
  @ActsAsAgent()
  @ApiOperation({ summary: 'Deregister an agent (its capabilities and load go with it)' })
  deregister(
    @Param() params: AgentIdParams,
    @CurrentAudit() audit: AuditScope | undefined,
  ): Promise<{ status: 'deregistered'; agent_id: string }> {
    return this.agents.deregister(params.agent_id, audit);
  }
}
