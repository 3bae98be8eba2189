import { RpcException, Server } from '@nestjs/microservices';
import { createEnvelope, TransportEnvelope } from '../envelope';
import { encodeEnvelope } from '../entry-codec';
import { RedisStreamsContext } from '../redis-streams.context';
import type { RedisStreamsServerOptions } from '../transport.options';
import { DeliveryPolicy } from './delivery-policy';
import { metrics, testLane, testLog, testOptions } from './testing/fake-redis';

/** The handler lookup and result conversion of a real Nest server. */
class Handlers extends Server {
  listen(): void {}
  close(): void {}
  on(): void {}
  unwrap<T>(): T {
    return undefined as T;
  }
}

type Handler = (payload: unknown, ctx: RedisStreamsContext) => unknown;

function setup(
  options: Partial<RedisStreamsServerOptions> = {},
  authenticate?: RedisStreamsServerOptions['authenticate'],
) {
  const handlers = new Handlers();
  const acks = { ack: jest.fn() };
  const retries = { schedule: jest.fn() };
  const deadLetters = { deadLetter: jest.fn().mockResolvedValue(undefined) };
  const replies = { reply: jest.fn().mockResolvedValue(undefined) };
  const { log, lines } = testLog();
  const state = { running: true };
  const policy = new DeliveryPolicy({
    options: testOptions({ maxDeliveries: 3, ...options }),
    authenticate,
    handlers,
    acks,
    retries,
    deadLetters,
    replies,
    metrics,
    log,
    isRunning: () => state.running,
  });
  const lane = testLane();
  const on = (pattern: string, handler: Handler) => handlers.addHandler(pattern, handler as never);
  /** Dispatches one entry and resolves once its slot is free again. */
  const deliver = async (fields: string[] | null, deliveries = 1, id = '1-0') => {
    const done = new Promise<void>((r) => lane.idleWaiters.push(r));
    policy.dispatch(lane, id, fields, deliveries);
    expect(lane.inFlight).toBe(1);
    expect(lane.held.has(id)).toBe(true);
    await done;
    expect(lane.inFlight).toBe(0);
  };
  return { policy, lane, acks, retries, deadLetters, replies, lines, state, on, deliver };
}

function envelope(extra: Partial<TransportEnvelope> = {}): TransportEnvelope {
  const e = createEnvelope({ from_agent: 'ORCH', to_agent: 'DEV-001', message_type: 'task.run', payload: { n: 1 } });
  return { ...e, ...extra };
}

const REPLY_TO = 'ea:{reply-ORCH}:reply';

describe('DeliveryPolicy', () => {
  it('runs the handler with the payload and its context, then acknowledges', async () => {
    const t = setup();
    const seen: Array<[unknown, number, string, string]> = [];
    t.on('task.run', (payload, ctx) => {
      seen.push([payload, ctx.getAttempt(), ctx.getEntryId(), ctx.getConsumer()]);
      return 'ok';
    });
    await t.deliver(encodeEnvelope(envelope()));
    expect(seen).toEqual([[{ n: 1 }, 1, '1-0', 'c1']]);
    expect(t.acks.ack).toHaveBeenCalledWith(t.lane, '1-0');
    expect(t.replies.reply).not.toHaveBeenCalled();
    expect(t.deadLetters.deadLetter).not.toHaveBeenCalled();
  });

  it('answers a request with every value the handler emitted before acknowledging', async () => {
    const t = setup();
    t.on('task.run', () => Promise.resolve({ done: true }));
    const e = envelope({ reply_to: REPLY_TO });
    await t.deliver(encodeEnvelope(e));
    expect(t.replies.reply).toHaveBeenCalledWith(e, {
      request_id: e.id,
      correlation_id: e.correlation_id,
      values: [{ done: true }],
    });
    expect(t.replies.reply.mock.invocationCallOrder[0]).toBeLessThan(t.acks.ack.mock.invocationCallOrder[0]);
  });

  it('acknowledges even when the reply cannot be written: the handler must not run again', async () => {
    const t = setup();
    t.on('task.run', () => 'ok');
    t.replies.reply.mockRejectedValue(new Error('Connection is closed'));
    await t.deliver(encodeEnvelope(envelope({ reply_to: REPLY_TO })));
    expect(t.acks.ack).toHaveBeenCalledWith(t.lane, '1-0');
    expect(t.lines.join('\n')).toContain('Connection is closed');
  });

  it('acknowledges an entry deleted while pending without running anything', async () => {
    const t = setup();
    const handler = jest.fn();
    t.on('task.run', handler);
    await t.deliver(null, 2);
    expect(t.acks.ack).toHaveBeenCalledWith(t.lane, '1-0');
    expect(handler).not.toHaveBeenCalled();
  });

  it('dead-letters what cannot be decoded with the reason and the delivery count, without a message type', async () => {
    const t = setup();
    await t.deliver(['envelope', '{"id":'], 2);
    expect(t.deadLetters.deadLetter).toHaveBeenCalledWith(
      t.lane,
      '1-0',
      { envelope: '{"id":' },
      'malformed_json',
      expect.any(String),
      2,
      null,
    );
    await t.deliver(['envelope', '{"id":"x"}']);
    expect(t.deadLetters.deadLetter).toHaveBeenLastCalledWith(
      t.lane,
      '1-0',
      { envelope: '{"id":"x"}' },
      'invalid_envelope',
      expect.any(String),
      1,
      null,
    );
    expect(t.acks.ack).not.toHaveBeenCalled();
  });

  it('dead-letters a pattern nobody handles as unknown_pattern', async () => {
    const t = setup();
    const e = envelope({ message_type: 'nobody.listens' });
    await t.deliver(encodeEnvelope(e));
    expect(t.deadLetters.deadLetter).toHaveBeenCalledWith(
      t.lane,
      '1-0',
      { envelope: JSON.stringify(e) },
      'unknown_pattern',
      'no handler for pattern "nobody.listens"',
      1,
      'nobody.listens',
    );
  });

  it('dead-letters a refused sender as unauthenticated before the handler sees it', async () => {
    const authenticate = jest.fn().mockResolvedValue('bad signature');
    const t = setup({}, authenticate);
    const handler = jest.fn();
    t.on('task.run', handler);
    const e = envelope();
    await t.deliver(encodeEnvelope(e));
    expect(authenticate).toHaveBeenCalledWith(e, 'DEV-001');
    expect(handler).not.toHaveBeenCalled();
    const call = t.deadLetters.deadLetter.mock.calls[0] as unknown[];
    expect(call.slice(3)).toEqual(['unauthenticated', 'bad signature', 1, 'task.run', e]);
  });

  it('counts Redis deliveries on top of the envelope attempt, and dead-letters past maxDeliveries unrun', async () => {
    const t = setup({ maxDeliveries: 3 });
    const attempts: number[] = [];
    t.on('task.run', (_p, ctx) => void attempts.push(ctx.getAttempt()));
    // A retried entry (attempt 2) delivered a second time by Redis (a crash): attempt 3, still run.
    await t.deliver(encodeEnvelope(envelope({ attempt: 2 })), 2);
    expect(attempts).toEqual([3]);
    // Never below Redis' own counter, even when the envelope says 1.
    await t.deliver(encodeEnvelope(envelope({ attempt: 1 })), 4);
    expect(attempts).toEqual([3]);
    const call = t.deadLetters.deadLetter.mock.calls[0] as unknown[];
    expect(call[3]).toBe('max_deliveries');
    expect(call[4]).toBe('delivered 4 times without an acknowledgement (consumers crashed or stalled)');
    expect(call[5]).toBe(4);
  });

  it('schedules a retry for a crash below maxDeliveries and neither acknowledges nor dead-letters', async () => {
    const t = setup({ maxDeliveries: 3 });
    t.on('task.run', () => {
      throw new Error('boom');
    });
    const e = envelope({ attempt: 2 });
    await t.deliver(encodeEnvelope(e));
    expect(t.retries.schedule).toHaveBeenCalledWith(t.lane, '1-0', e, 2);
    expect(t.acks.ack).not.toHaveBeenCalled();
    expect(t.deadLetters.deadLetter).not.toHaveBeenCalled();
    // Still held: the retry owns the entry until it is requeued.
    expect(t.lane.held.has('1-0')).toBe(true);
  });

  it('dead-letters a crash at maxDeliveries as max_deliveries with the error, and answers nobody itself', async () => {
    const t = setup({ maxDeliveries: 3 });
    t.on('task.run', () => Promise.reject(new TypeError('x is undefined')));
    const e = envelope({ attempt: 3, reply_to: REPLY_TO });
    await t.deliver(encodeEnvelope(e));
    expect(t.retries.schedule).not.toHaveBeenCalled();
    expect(t.replies.reply).not.toHaveBeenCalled(); // the dead-letter writer answers the requester
    const call = t.deadLetters.deadLetter.mock.calls[0] as unknown[];
    expect(call.slice(3)).toEqual(['max_deliveries', 'TypeError: x is undefined', 3, 'task.run', e]);
  });

  it('dead-letters a deliberate refusal of an event as rejected on the first attempt', async () => {
    const t = setup();
    t.on('task.run', () => {
      throw new RpcException({ code: 'TASK_NOT_FOUND', message: 'no task' });
    });
    await t.deliver(encodeEnvelope(envelope()));
    expect(t.retries.schedule).not.toHaveBeenCalled();
    const call = t.deadLetters.deadLetter.mock.calls[0] as unknown[];
    expect(call[3]).toBe('rejected');
    expect(call[5]).toBe(1);
  });

  it('answers a deliberate refusal of a request with the refusal and acknowledges it', async () => {
    const t = setup();
    t.on('task.run', () => {
      throw new RpcException({ code: 'TASK_NOT_FOUND', message: 'no task' });
    });
    const e = envelope({ reply_to: REPLY_TO });
    await t.deliver(encodeEnvelope(e));
    expect(t.replies.reply).toHaveBeenCalledWith(e, {
      request_id: e.id,
      correlation_id: e.correlation_id,
      err: { code: 'TASK_NOT_FOUND', message: 'no task' },
    });
    expect(t.acks.ack).toHaveBeenCalledWith(t.lane, '1-0');
    expect(t.deadLetters.deadLetter).not.toHaveBeenCalled();
    expect(t.retries.schedule).not.toHaveBeenCalled();
  });

  it('waits out an unavailable dependency in place: pauses the lane, runs again at the same attempt', async () => {
    const t = setup({
      isUnavailable: (err) => err instanceof Error && err.message === 'db down',
      outageBackoff: { initialMs: 5, maxMs: 5, factor: 1, jitter: false },
    });
    const contexts: RedisStreamsContext[] = [];
    t.on('task.run', (_p, ctx) => {
      contexts.push(ctx);
      if (contexts.length === 1) throw new Error('db down');
      return 'ok';
    });
    const before = Date.now();
    await t.deliver(encodeEnvelope(envelope()));
    expect(contexts.map((c) => c.getAttempt())).toEqual([1, 1]);
    expect(contexts[0]).not.toBe(contexts[1]); // a fresh context: no error recorded by the first run
    expect(t.lane.pausedUntil).toBeGreaterThanOrEqual(before + 5);
    expect(t.acks.ack).toHaveBeenCalledWith(t.lane, '1-0');
    expect(t.retries.schedule).not.toHaveBeenCalled();
    expect(t.deadLetters.deadLetter).not.toHaveBeenCalled();
  });

  it('leaves an entry waiting out an outage pending when the server drains meanwhile', async () => {
    const t = setup({
      isUnavailable: () => true,
      outageBackoff: { initialMs: 5, maxMs: 5, factor: 1, jitter: false },
    });
    const handler = jest.fn(() => {
      t.state.running = false;
      throw new Error('db down');
    });
    t.on('task.run', handler);
    await t.deliver(encodeEnvelope(envelope()));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(t.acks.ack).not.toHaveBeenCalled();
    expect(t.deadLetters.deadLetter).not.toHaveBeenCalled();
    expect(t.retries.schedule).not.toHaveBeenCalled();
    // No longer held: its lease lapses and another consumer reclaims it.
    expect(t.lane.held.has('1-0')).toBe(false);
  });

  it('leaves the entry pending when writing its dead letter fails (Redis down), and frees the slot', async () => {
    const t = setup();
    t.deadLetters.deadLetter.mockRejectedValue(new Error('Connection is closed'));
    await t.deliver(['envelope', 'not json']);
    expect(t.lane.held.has('1-0')).toBe(false);
    expect(t.acks.ack).not.toHaveBeenCalled();
  });

  it('wakes the consumer loop when a slot frees up', async () => {
    const t = setup();
    t.on('task.run', () => 'ok');
    const woken = jest.fn();
    t.lane.slotWaiters.push(woken);
    await t.deliver(encodeEnvelope(envelope()));
    expect(woken).toHaveBeenCalledTimes(1);
    expect(t.lane.slotWaiters).toEqual([]);
  });
});
