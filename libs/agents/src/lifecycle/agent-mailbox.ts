import type { ConsultationAnswer } from '../outputs/output-kinds';
import { AgentMessage, AgentMessenger, CONSULT_MESSAGE, MessageHandler, MessagePayload } from './agent-messenger';
import type { AgentLogger } from './agent.types';

/**
 * An agent's messaging (the seed's integration): sending and broadcasting through its messenger, and the incoming
 * side — handlers per message type, `consult` answered by the given function unless a handler takes it.
 */
export class AgentMailbox {
  private readonly handlers = new Map<string, MessageHandler>();
  private received = 0;

  constructor(
    private readonly agentId: string,
    private readonly messenger: AgentMessenger | undefined,
    private readonly logger: AgentLogger,
    private readonly answerConsultation: (message: AgentMessage) => Promise<ConsultationAnswer>,
  ) {}

  get messagesReceived(): number {
    return this.received;
  }

  /** The messenger, or an error naming what could not be done without one. */
  requireMessenger(action: string): AgentMessenger {
    if (!this.messenger) throw new Error(`agent ${this.agentId} has no messenger: cannot ${action}`);
    return this.messenger;
  }

  async send(to: string, messageType: string, payload: MessagePayload): Promise<void> {
    await this.requireMessenger(`send "${messageType}" to ${to}`).send(this.agentId, to, messageType, payload);
    this.logger.debug(`sent ${messageType} to ${to}`);
  }

  async broadcast(messageType: string, payload: MessagePayload): Promise<void> {
    await this.requireMessenger(`broadcast "${messageType}"`).broadcast(this.agentId, messageType, payload);
  }

  onMessage(messageType: string, handler: MessageHandler): void {
    this.handlers.set(messageType, handler);
  }

  async handleIncoming(message: AgentMessage): Promise<MessagePayload | undefined> {
    this.received++;
    this.logger.debug(`received ${message.message_type} from ${message.from_agent}`);
    const handler = this.handlers.get(message.message_type);
    if (handler) return (await handler(message)) ?? undefined;
    if (message.message_type === CONSULT_MESSAGE) return { ...(await this.answerConsultation(message)) };
    if (message.expects_reply) throw new Error(`${this.agentId} has no handler for "${message.message_type}" requests`);
    return undefined;
  }
}
