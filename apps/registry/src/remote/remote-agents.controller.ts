import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@app/auth';
import { RegisterRemoteAgentDto } from './dto/register-remote.dto';
import { RemoteAgentsService, RemoteRegistration } from './remote-agents.service';

@ApiTags('agents')
@Controller('api/agents/remote')
export class RemoteAgentsController {
  constructor(private readonly remote: RemoteAgentsService) {}

  @Post()
  @RequireScopes('registry:admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Register an outside A2A agent by its card URL (EXT-nnn unless agent_id is given)',
    description:
      'Fetches the card (SSRF-guarded, bounded), validates it, derives role, capabilities and output kind from its skills. ' +
      'Errors: CARD_UNREACHABLE, CARD_INVALID, TARGET_REFUSED (400) naming the field.',
  })
  register(@Body() dto: RegisterRemoteAgentDto): Promise<RemoteRegistration> {
    return this.remote.register(dto);
  }
}
