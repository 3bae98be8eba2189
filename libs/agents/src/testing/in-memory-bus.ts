import { randomUUID } from 'node:crypto';
import type { Agent } from '../lifecycle/agent';
import { AgentMessage, AgentMessenger, BROADCAST_RECIPIENT, MessagePayload } from '../lifecycle/agent-messenger';

/**
 * A tiny in-process bus connecting Agent instances, for tests: the same AgentMessenger port the
 * agent host implements on Redis Streams. Records every message it carried in `log`.
 */
export class InMemoryAgentBus {
  readonly log: AgentMessage[] = [];
  private readonly agents = new Map<string, Agent>();
  /** Errors thrown by handlers of fire-and-forget messages (a real transport would dead-letter them). */
  readonly handlerErrors: { message: AgentMessage; error: unknown }[] = [];
  private readonly pending = new Set<Promise<unknown>>();

  readonly messenger: AgentMessenger = {
    send: (from, to, type, payload) => {
      this.deliverLater(this.envelope(from, to, type, payload), this.target(to));
      return Promise.resolve();
    },
    broadcast: (from, type, payload) => {
      const message = this.envelope(from, BROADCAST_RECIPIENT, type, payload);
      for (const [id, agent] of this.agents) if (id !== from) this.deliverLater(message, agent);
      return Promise.resolve();
    },
    request: async (from, to, type, payload, options) => {
      const agent = this.target(to);
      const message = this.envelope(from, to, type, payload, { expects_reply: true, correlation_id: randomUUID() });
      options.signal?.throwIfAborted();
      const reply = await agent.handleIncomingMessage(message);
      return reply ?? {};
    },
  };

  /** Connects an agent; build agents with `{ messenger: bus.messenger }` so they can send. */
  attach(...agents: Agent[]): this {
    for (const agent of agents) this.agents.set(agent.agentId, agent);
    return this;
  }

  detach(agentId: string): void {
    this.agents.delete(agentId);
  }

  /** Resolves once every fire-and-forget delivery so far has been handled. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private target(to: string): Agent {
    const agent = this.agents.get(to);
    if (!agent) throw new Error(`no agent "${to}" on the bus`);
    return agent;
  }

  private envelope(
    from: string,
    to: string,
    messageType: string,
    payload: MessagePayload,
    extra: Partial<AgentMessage> = {},
  ): AgentMessage {
    const message: AgentMessage = {
      message_id: randomUUID(),
      from_agent: from,
      to_agent: to,
      message_type: messageType,
      payload: structuredClone(payload),
      sent_at: new Date().toISOString(),
      ...extra,
    };
    this.log.push(message);
    return message;
  }

  private deliverLater(message: AgentMessage, agent: Agent): void {
    // Asynchronous like a real transport: the sender never runs the receiver's handler inline.
    const delivery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => agent.handleIncomingMessage(message))
      .catch((error: unknown) => {
        this.handlerErrors.push({ message, error });
      })
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }
}
