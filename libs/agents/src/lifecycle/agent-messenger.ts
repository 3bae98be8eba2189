export type MessagePayload = Record<string, unknown>;

/** Recipient of a broadcast, as in the seed. */
export const BROADCAST_RECIPIENT = 'ALL';

/** The seed's AgentMessage, plus what request/response needs. */
export interface AgentMessage {
  message_id: string;
  from_agent: string;
  /** An agent id, or `ALL` for a broadcast. */
  to_agent: string;
  message_type: string;
  payload: MessagePayload;
  sent_at: string;
  /** Set on requests: the sender waits for the handler's return value as the reply. */
  expects_reply?: boolean;
  correlation_id?: string;
}

/**
 * The port an agent talks to other agents through. The agent host implements it on
 * `@app/transport`; the test kit has an in-memory bus. Incoming messages are delivered by
 * calling `agent.handleIncomingMessage(message)`; for a request, its return value is the reply.
 */
export interface AgentMessenger {
  send(from: string, to: string, messageType: string, payload: MessagePayload): Promise<void>;
  broadcast(from: string, messageType: string, payload: MessagePayload): Promise<void>;
  /** Resolves with the reply payload; rejects when `signal` aborts (the agent enforces `timeoutMs` too). */
  request(
    from: string,
    to: string,
    messageType: string,
    payload: MessagePayload,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<MessagePayload>;
}

export type MessageHandler = (message: AgentMessage) => Promise<MessagePayload | void> | MessagePayload | void;

/** Message type of a consultation: payload `{question, context?}`, reply `{answer, confidence, rationale}`. */
export const CONSULT_MESSAGE = 'consult';
