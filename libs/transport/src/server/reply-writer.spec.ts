import { createEnvelope, TransportEnvelope } from '../envelope';
import { ReplyWriter } from './reply-writer';
import { FakeRedis, testLog } from './testing/fake-redis';

function request(replyTo: string): TransportEnvelope {
  const e = createEnvelope({ from_agent: 'ORCH', to_agent: 'DEV-001', message_type: 'task.run', payload: 1 });
  return { ...e, reply_to: replyTo };
}

describe('ReplyWriter', () => {
  it('appends the reply to the reply stream, bounded, and renews its expiry', async () => {
    const redis = new FakeRedis();
    const replies = new ReplyWriter(redis.connection(), 'ea', 60_000, testLog().log);
    const e = request('ea:{reply-ORCH}:reply');
    await replies.reply(e, { request_id: e.id, correlation_id: e.correlation_id, values: [1] });
    expect(redis.commands).toEqual([
      [
        'multi',
        [
          ['xadd', 'ea:{reply-ORCH}:reply', 'MAXLEN', '~', 10_000, '*', 'reply',
            JSON.stringify({ request_id: e.id, correlation_id: e.correlation_id, values: [1] })],
          ['pexpire', 'ea:{reply-ORCH}:reply', 60_000],
        ],
      ],
    ]); // prettier-ignore
  });

  it('does not write to a key outside this bus’s reply streams', async () => {
    const redis = new FakeRedis();
    const { log, lines } = testLog();
    const replies = new ReplyWriter(redis.connection(), 'ea', 60_000, log);
    for (const key of ['ea:{DEV-001}:stream', 'other:{x}:reply', 'session:admin']) {
      const e = request(key);
      await replies.reply(e, { request_id: e.id, correlation_id: e.correlation_id, values: [] });
    }
    expect(redis.commands).toEqual([]);
    expect(lines).toHaveLength(3);
  });

  it('answers with an error when the values cannot be serialized', async () => {
    const redis = new FakeRedis();
    const replies = new ReplyWriter(redis.connection(), 'ea', 60_000, testLog().log);
    const e = request('ea:{reply-ORCH}:reply');
    await replies.reply(e, { request_id: e.id, correlation_id: e.correlation_id, values: [10n] });
    const body = JSON.parse(redis.sent('xadd')[0][6] as string) as Record<string, unknown>;
    expect(body).toEqual({
      request_id: e.id,
      correlation_id: e.correlation_id,
      err: { status: 'error', message: expect.stringContaining('reply not serializable') },
    });
  });
});
