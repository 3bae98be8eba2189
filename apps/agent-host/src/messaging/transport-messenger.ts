import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { SpanOptions } from '@opentelemetry/api';
import { lastValueFrom } from 'rxjs';
import { AgentMessenger, MessagePayload } from '@app/agents';
import { AgentMessagePayload, AgentPatterns } from '@app/contracts';
import { inSpan, SpanKind } from '@app/observability';
import { BROADCAST_ADDRESS, RedisStreamsClient } from '@app/transport';
import { BUS_CLIENT } from './bus-client.provider';

/** The agents' messaging port on the Redis Streams transport: messages and asks go to the target agent's stream. */
@Injectable()
export class TransportMessenger implements AgentMessenger, OnApplicationShutdown {
  constructor(@Inject(BUS_CLIENT) private readonly client: RedisStreamsClient) {}

  async send(from: string, to: string, messageType: string, payload: MessagePayload): Promise<void> {
    await inSpan(`agent.message ${messageType}`, messageSpan(from, to, messageType), () =>
      lastValueFrom(
        this.client.to(to).emit(AgentPatterns.Message, this.message(from, to, messageType, payload), { from }),
      ),
    );
  }

  async broadcast(from: string, messageType: string, payload: MessagePayload): Promise<void> {
    const message = this.message(from, BROADCAST_ADDRESS, messageType, payload);
    await lastValueFrom(this.client.to(BROADCAST_ADDRESS).emit(AgentPatterns.Message, message, { from }));
  }

  async request(
    from: string,
    to: string,
    messageType: string,
    payload: MessagePayload,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<MessagePayload> {
    return inSpan(`agent.ask ${messageType}`, messageSpan(from, to, messageType), () =>
      this.ask(from, to, messageType, payload, options),
    );
  }

  private ask(
    from: string,
    to: string,
    messageType: string,
    payload: MessagePayload,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<MessagePayload> {
    const message = { ...this.message(from, to, messageType, payload), expects_reply: true };
    const reply = lastValueFrom(
      this.client.to(to).send<MessagePayload>(AgentPatterns.Ask, message, {
        from,
        timeoutMs: options.timeoutMs,
        correlationId: message.message_id,
      }),
      { defaultValue: {} },
    );
    if (!options.signal) return reply;
    return abortable(reply, options.signal);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  private message(from: string, to: string, messageType: string, payload: MessagePayload): AgentMessagePayload {
    return {
      message_id: randomUUID(),
      from_agent: from,
      to_agent: to,
      message_type: messageType,
      payload,
      sent_at: new Date().toISOString(),
    };
  }
}

/** A PRODUCER span per agent-to-agent message; the receiving host continues it from the envelope's traceparent. */
function messageSpan(from: string, to: string, messageType: string): SpanOptions {
  return {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'redis_streams',
      'messaging.operation.type': 'send',
      'messaging.destination.name': to,
      'gen_ai.agent.id': from,
      'expert_agents.message_type': messageType,
    },
  };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
