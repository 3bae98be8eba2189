import { BaseRpcContext } from '@nestjs/microservices';
import { TransportEnvelope } from './envelope';

type RedisStreamsContextArgs = [
  address: string,
  envelope: TransportEnvelope,
  entryId: string,
  attempt: number,
  consumer: string,
];

/** `@Ctx()` of handlers: which address delivered the message, the whole envelope, the entry id and the attempt. */
export class RedisStreamsContext extends BaseRpcContext<RedisStreamsContextArgs> {
  getAddress(): string {
    return this.args[0];
  }

  getEnvelope(): TransportEnvelope {
    return this.args[1];
  }

  getEntryId(): string {
    return this.args[2];
  }

  /** 1 on first delivery; higher after a retry, a reclaim or a restart. */
  getAttempt(): number {
    return this.args[3];
  }

  /** Consumer name of the instance handling it. */
  getConsumer(): string {
    return this.args[4];
  }

  private recorded: { error: unknown } | undefined;

  /** Exception filters call this so the server sees the original error (Nest's filter hides it). */
  recordError(error: unknown): void {
    this.recorded = { error };
  }

  getRecordedError(): { error: unknown } | undefined {
    return this.recorded;
  }
}
