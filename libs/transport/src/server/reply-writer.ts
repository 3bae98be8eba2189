import type { TransportEnvelope } from '../envelope';
import type { ReplyBody } from '../entry-codec';
import type { RedisConnection } from '../redis-connection';
import type { ServerLog } from './server-log';

/** Writes RPC replies to the requester's reply stream, which expires when nobody reads it any more. */
export class ReplyWriter {
  constructor(
    private readonly cmd: RedisConnection,
    private readonly keyPrefix: string,
    private readonly replyTtlMs: number,
    private readonly log: ServerLog,
  ) {}

  /** `envelope.reply_to` must be set. A reply_to outside this bus's reply streams is not written to. */
  async reply(envelope: TransportEnvelope, body: ReplyBody): Promise<void> {
    const key = envelope.reply_to!;
    if (!key.startsWith(`${this.keyPrefix}:{`) || !key.endsWith('}:reply')) {
      this.log.warn(`not replying to ${envelope.id}: reply_to ${key} is not a reply stream of this bus`);
      return;
    }
    let json: string;
    try {
      json = JSON.stringify(body);
    } catch (err) {
      json = JSON.stringify({
        ...body,
        values: undefined,
        err: { status: 'error', message: `reply not serializable: ${(err as Error).message}` },
      });
    }
    await this.cmd.multi().xadd(key, 'MAXLEN', '~', 10_000, '*', 'reply', json).pexpire(key, this.replyTtlMs).exec();
  }
}
