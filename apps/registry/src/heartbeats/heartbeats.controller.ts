import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { HeartbeatDto } from './dto/heartbeat.dto';
import { HeartbeatAgentIdPipe, HeartbeatBodyPipe } from './heartbeat-input.pipes';
import { HeartbeatsService } from './heartbeats.service';
import { ActsAsAgent, Audited, RateBudget } from '@app/auth';

@ApiTags('agents')
@Controller('api/agents')
export class HeartbeatsController {
  constructor(private readonly heartbeats: HeartbeatsService) {}

  @Post(':agent_id/heartbeat')
  @ActsAsAgent()
  @RateBudget('heartbeat')
  @Audited('telemetry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Heartbeat (every HEARTBEAT_INTERVAL_SECONDS); may report current_tasks and max_tasks' })
  @ApiParam({ name: 'agent_id', example: 'DEV-001' })
  @ApiBody({ type: HeartbeatDto, required: false })
  // Typed `unknown`/string so the global ValidationPipe skips them; the pipes here validate (hot path).
  beat(
    @Param('agent_id', HeartbeatAgentIdPipe) agentId: string,
    @Body(HeartbeatBodyPipe) body: unknown,
  ): Promise<{ status: 'ok' }> {
    return this.heartbeats.beat(agentId, body as HeartbeatDto);
  }
}
