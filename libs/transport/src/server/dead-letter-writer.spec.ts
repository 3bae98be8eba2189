import { createEnvelope, TransportEnvelope } from '../envelope';
import { decodeDeadLetter, fieldsToRecord } from '../entry-codec';
import { DeadLetterEvent, DeadLetterListener, DeadLetterWriter } from './dead-letter-writer';
import { FakeRedis, metrics, testLane, testLog } from './testing/fake-redis';

function setup(listeners: DeadLetterListener[] = []) {
  const redis = new FakeRedis();
  const replies = { reply: jest.fn().mockResolvedValue(undefined) };
  const { log, lines } = testLog();
  const writer = new DeadLetterWriter(redis.connection(), 'c1', listeners, replies, metrics, log);
  const lane = testLane({ held: new Set(['1-0']) });
  return { redis, replies, writer, lane, lines };
}

const envelope = (extra: Partial<TransportEnvelope> = {}): TransportEnvelope => ({
  ...createEnvelope({ from_agent: 'ORCH', to_agent: 'DEV-001', message_type: 'task.run', payload: 1 }),
  ...extra,
});

describe('DeadLetterWriter', () => {
  it('writes the dead letter and acks the entry in one MULTI, keeping the original fields verbatim', async () => {
    const t = setup();
    const original = { envelope: '{"id":' };
    await t.writer.deadLetter(t.lane, '1-0', original, 'malformed_json', 'bad JSON', 2, null);
    const [kind, queued] = t.redis.commands[0] as [string, unknown[][]];
    expect(kind).toBe('multi');
    expect(queued[0].slice(0, 3)).toEqual(['xadd', 'ea:{DEV-001}:dlq', '*']);
    const stored = decodeDeadLetter('9-0', fieldsToRecord(queued[0].slice(3) as string[]));
    expect(stored).toMatchObject({
      address: 'DEV-001',
      reason: 'malformed_json',
      error: 'bad JSON',
      attempts: 2,
      source_id: '1-0',
      consumer: 'c1',
      message_type: null,
      original,
    });
    expect(queued[1]).toEqual(['xack', 'ea:{DEV-001}:stream', 'workers', '1-0']);
    expect(t.lane.held.size).toBe(0);
  });

  it('tells every listener, even after one of them failed', async () => {
    const events: DeadLetterEvent[] = [];
    const t = setup([() => Promise.reject(new Error('webhook down')), (event) => void events.push(event)]);
    const e = envelope();
    await t.writer.deadLetter(t.lane, '1-0', {}, 'rejected', 'NotFound: no task', 1, 'task.run', e);
    expect(events).toEqual([
      {
        address: 'DEV-001',
        source_id: '1-0',
        reason: 'rejected',
        error: 'NotFound: no task',
        attempts: 1,
        message_type: 'task.run',
        envelope: e,
      },
    ]);
    expect(t.lines.some((l) => l.includes('dead-letter listener failed for 1-0: webhook down'))).toBe(true);
  });

  it('answers a request with TRANSPORT_DEAD_LETTERED so the caller does not wait for its timeout', async () => {
    const t = setup();
    const e = envelope({ reply_to: 'ea:{reply-ORCH}:reply' });
    await t.writer.deadLetter(t.lane, '1-0', {}, 'max_deliveries', 'Error: boom', 5, 'task.run', e);
    expect(t.replies.reply).toHaveBeenCalledWith(e, {
      request_id: e.id,
      correlation_id: e.correlation_id,
      err: {
        status: 'error',
        code: 'TRANSPORT_DEAD_LETTERED',
        message: 'dead-lettered after 5 attempt(s): Error: boom',
      },
    });
    t.replies.reply.mockClear();
    await t.writer.deadLetter(t.lane, '2-0', {}, 'max_deliveries', 'Error: boom', 5, 'task.run', envelope());
    expect(t.replies.reply).not.toHaveBeenCalled();
  });

  it('writes nothing else when the MULTI fails: the entry stays pending and held for the caller to release', async () => {
    const listener = jest.fn();
    const t = setup([listener]);
    t.redis.fail.set('multi', new Error('Connection is closed'));
    await expect(t.writer.deadLetter(t.lane, '1-0', {}, 'rejected', 'x', 1, 'task.run')).rejects.toThrow(
      'Connection is closed',
    );
    expect(listener).not.toHaveBeenCalled();
    expect(t.lane.held.has('1-0')).toBe(true);
  });
});
