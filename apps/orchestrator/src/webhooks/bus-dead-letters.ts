import { Injectable, Logger } from '@nestjs/common';
import type { DeadLetterEvent } from '@app/transport';
import { WebhooksRepository } from './webhooks.repository';

/**
 * Dead letters of the orchestrator's own streams (results, RPC) live only in Redis, so no trigger
 * sees them: the transport's dead-letter hook writes their deliveries here, for subscriptions to
 * dead_letter.created that are not scoped to a task or run. Written right after the entry moved
 * to the dead-letter stream (not in one transaction with it: Redis has none with PostgreSQL);
 * the event id is the address plus the entry id, so two replicas dead-lettering one entry make
 * one delivery. Dead task messages are reported by the agent host as failed attempts and reach
 * subscribers through the task_events trigger instead.
 */
@Injectable()
export class BusDeadLetterWebhooks {
  private readonly log = new Logger('Webhooks');

  constructor(private readonly store: WebhooksRepository) {}

  async record(event: DeadLetterEvent): Promise<void> {
    const eventId = `bus_dead_letter:${event.address}:${event.source_id}`;
    const payload = {
      id: eventId,
      type: 'dead_letter.created',
      created_at: new Date().toISOString(),
      data: {
        address: event.address,
        entry_id: event.source_id,
        reason: event.reason,
        error: event.error,
        attempts: event.attempts,
        message_type: event.message_type,
      },
    };
    await this.store
      .enqueueBusDeadLetter(eventId, payload)
      .catch((error: unknown) =>
        this.log.warn(`dead letter ${eventId} not written to the webhook outbox: ${(error as Error).message}`),
      );
  }
}
