import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { AgentMessenger, MessagePayload } from '@app/agents';
import { AgentMessagePayload, AgentPatterns } from '@app/contracts';
import { BROADCAST_ADDRESS, RedisStreamsClient } from '@app/transport';
import { BUS_CLIENT } from './bus-client.provider';

/** The agents' messaging port on the Redis Streams transport: messages and asks go to the target agent's stream. */
@Injectable()
export class TransportMessenger implements AgentMessenger, OnApplicationShutdown {
  constructor(@Inject(BUS_CLIENT) private readonly client: RedisStreamsClient) {}

  async send(from: string, to: string, messageType: string, payload: MessagePayload): Promise<void> {
    await lastValueFrom(
      this.client.to(to).emit(AgentPatterns.Message, this.message(from, to, messageType, payload), { from }),
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

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
