import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { Public } from '@app/auth';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { agentCard, CardJson, catalogAgentCard } from '@app/agents';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AgentView } from '../agents/agent.view';
import { AgentsService } from '../agents/agents.service';
import { AgentIdParams } from '../agents/dto/agent-id.params';
import { ListCardsQuery } from './list-cards.query';

/**
 * A2A agent cards of registered agents. Every card names the orchestrator's per-agent endpoints
 * (ORCHESTRATOR_PUBLIC_URL): calls go through durable dispatch, never straight to a host.
 */
@ApiTags('agents')
@Controller('api/agents')
export class CardsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly agents: AgentsService,
  ) {}

  private card(view: AgentView): CardJson {
    const origin = this.config.a2a.orchestratorPublicUrl;
    // A catalog agent keeps its persona; capabilities are the registered ones either way.
    const catalog = catalogAgentCard(view.agent_id, origin);
    const card = agentCard(view, origin);
    return catalog ? { ...catalog, skills: card.skills } : card;
  }

  @Get('cards')
  @Public()
  @ApiOperation({ summary: 'A2A agent cards of registered agents; discovery by skill (capability), role, status' })
  async list(@Query() query: ListCardsQuery): Promise<{ cards: CardJson[]; total: number }> {
    const { agents, total } = await this.agents.list({
      capability: query.skill,
      role: query.role,
      status: query.status,
      limit: query.limit,
      offset: query.offset,
    });
    const min = query.min_proficiency ?? 1;
    const fit = query.skill
      ? agents.filter((a) => a.capabilities.some((c) => c.capability === query.skill && c.proficiency_level >= min))
      : agents;
    return { cards: fit.map((a) => this.card(a)), total: query.min_proficiency ? fit.length : total };
  }

  @Get(':agent_id/card')
  @Public()
  @ApiOperation({ summary: "An agent's A2A agent card (skills from its capabilities, proficiency in tags)" })
  async get(@Param() params: AgentIdParams): Promise<CardJson> {
    return this.card(await this.agents.get(params.agent_id));
  }
}
