import { Controller, Logger, UseFilters } from '@nestjs/common';
import { Ctx, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { AgentMessage, MessagePayload } from '@app/agents';
import { AgentMessagePayload, AgentPatterns } from '@app/contracts';
import { BROADCAST_ADDRESS, RedisStreamsContext, RedisStreamsExceptionFilter } from '@app/transport';
import { validateMessage } from '@app/edge';
import { HostedAgents } from '../hosting/hosted-agents';
import { AgentMetrics } from '../metrics/agent-metrics';
import { Public } from '@app/auth';

/** Agent-to-agent messages and asks arriving on a hosted agent's stream (or the broadcast stream). */
@Controller()
@UseFilters(new RedisStreamsExceptionFilter())
export class AgentMessagesController {
  private readonly log = new Logger(AgentMessagesController.name);

  constructor(
    private readonly agents: HostedAgents,
    private readonly metrics: AgentMetrics,
  ) {}

  /** One-way: a failing handler is logged and counted, not retried (the seed's pub/sub semantics). */
  @MessagePattern(AgentPatterns.Message)
  @Public()
  async message(@Payload() payload: unknown, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    const message = toAgentMessage(await validateMessage(AgentMessagePayload, payload, AgentPatterns.Message));
    const address = ctx.getAddress();
    const targets =
      address === BROADCAST_ADDRESS
        ? this.agents.list().filter((a) => a.definition.agent_id !== message.from_agent)
        : [this.agents.get(address)];
    for (const { definition, runtime } of targets) {
      try {
        await runtime.handleIncomingMessage({
          ...message,
          to_agent: address === BROADCAST_ADDRESS ? BROADCAST_ADDRESS : definition.agent_id,
        });
      } catch (err) {
        this.metrics.error(definition.agent_id, 'message_handler');
        this.log.warn(
          `${definition.agent_id} failed to handle ${message.message_type} from ${message.from_agent}: ${(err as Error).message}`,
        );
      }
    }
  }

  /** Request/response: the target agent's answer is the reply; its failure is answered as an error at once. */
  @MessagePattern(AgentPatterns.Ask)
  @Public()
  async ask(@Payload() payload: unknown, @Ctx() ctx: RedisStreamsContext): Promise<MessagePayload> {
    const message = toAgentMessage(await validateMessage(AgentMessagePayload, payload, AgentPatterns.Ask));
    const { runtime } = this.agents.get(ctx.getAddress());
    try {
      return (await runtime.handleIncomingMessage({ ...message, expects_reply: true })) ?? {};
    } catch (err) {
      this.metrics.error(runtime.agentId, 'ask_handler');
      throw new RpcException({ status: 'error', code: 'AGENT_ASK_FAILED', message: (err as Error).message });
    }
  }
}

function toAgentMessage(m: AgentMessagePayload): AgentMessage {
  return {
    message_id: m.message_id,
    from_agent: m.from_agent,
    to_agent: m.to_agent,
    message_type: m.message_type,
    payload: m.payload,
    sent_at: m.sent_at,
    ...(m.expects_reply === undefined ? {} : { expects_reply: m.expects_reply }),
    ...(m.correlation_id === undefined ? {} : { correlation_id: m.correlation_id }),
  };
}
