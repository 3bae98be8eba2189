import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AgentStatusReport } from '@app/agents';
import { APP_CONFIG, AppConfig } from '@app/config';
import { LifecycleState } from '@app/observability';
import { HostedAgents } from '../hosting/hosted-agents';
import { RegistrationService } from '../registration/registration.service';
import { RequireScopes } from '@app/auth';

export interface HostStatus {
  instance_id: string;
  draining: boolean;
  agents: (AgentStatusReport & { registered: boolean })[];
}

@ApiTags('status')
@Controller('status')
export class StatusController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly agents: HostedAgents,
    private readonly registration: RegistrationService,
    private readonly lifecycle: LifecycleState,
  ) {}

  @Get()
  @RequireScopes('registry:read')
  @ApiOperation({
    summary: "Each hosted agent's status report (the seed's get_status_report) and whether the registry knows it",
  })
  @ApiOkResponse({ description: 'instance_id, draining, agents[]' })
  status(): HostStatus {
    return {
      instance_id: this.config.agentHostInstanceId,
      draining: this.lifecycle.draining,
      agents: this.agents.list().map(({ runtime }) => ({
        ...runtime.getStatusReport(),
        registered: this.registration.isRegistered(runtime.agentId),
      })),
    };
  }
}
