import type { TransportEnvelope } from '../envelope';
import { DeadLetterReason, encodeDeadLetter } from '../entry-codec';
import type { RedisConnection } from '../redis-connection';
import type { TransportMetrics } from '../transport.metrics';
import type { Lane } from './lane';
import type { ReplyWriter } from './reply-writer';
import type { ServerLog } from './server-log';

/** An entry that was just dead-lettered; `envelope` is absent when the entry could not be decoded. */
export interface DeadLetterEvent {
  address: string;
  /** The entry's id in its stream (stable: the same entry dead-lettered by two consumers has one id). */
  source_id: string;
  reason: DeadLetterReason;
  error: string;
  attempts: number;
  message_type: string | null;
  envelope?: TransportEnvelope;
}

export type DeadLetterListener = (event: DeadLetterEvent) => Promise<void> | void;

/**
 * Moves an entry to its address's dead-letter stream and acknowledges it in one MULTI, then tells the listeners
 * and, for a request, answers the requester so it does not wait for its timeout.
 */
export class DeadLetterWriter {
  constructor(
    private readonly cmd: RedisConnection,
    private readonly consumerName: string,
    /** The server's list: listeners added after start are seen too. */
    private readonly listeners: readonly DeadLetterListener[],
    private readonly replies: Pick<ReplyWriter, 'reply'>,
    private readonly metrics: TransportMetrics,
    private readonly log: ServerLog,
  ) {}

  async deadLetter(
    lane: Lane,
    id: string,
    original: Record<string, string>,
    reason: DeadLetterReason,
    error: string,
    attempts: number,
    messageType: string | null,
    envelope?: TransportEnvelope,
  ): Promise<void> {
    const fields = encodeDeadLetter({
      address: lane.address,
      reason,
      error,
      attempts,
      source_id: id,
      consumer: this.consumerName,
      dead_lettered_at: new Date().toISOString(),
      message_type: messageType,
      original,
    });
    await this.cmd
      .multi()
      .xadd(lane.dlqKey, '*', ...fields)
      .xack(lane.key, lane.group, id)
      .exec();
    lane.held.delete(id);
    this.metrics.deadLettered.inc({ address: lane.address, reason });
    this.log.warn(`dead-lettered ${id} from ${lane.address} (${reason}): ${error}`);
    const event: DeadLetterEvent = {
      address: lane.address,
      source_id: id,
      reason,
      error,
      attempts,
      message_type: messageType,
      envelope,
    };
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (err) {
        this.log.warn(`dead-letter listener failed for ${id}: ${(err as Error).message}`);
      }
    }
    if (envelope?.reply_to) {
      const err = {
        status: 'error',
        code: 'TRANSPORT_DEAD_LETTERED',
        message: `dead-lettered after ${attempts} attempt(s): ${error}`,
      };
      await this.replies
        .reply(envelope, { request_id: envelope.id, correlation_id: envelope.correlation_id, err })
        .catch(() => undefined);
    }
  }
}
