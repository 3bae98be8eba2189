import { EventEmitter } from 'node:events';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import type { TransportEnvelope } from './envelope';
import { RedisStreamsClient, StreamsRecord } from './redis-streams.client';
import { TransportTimeoutError, TransportUnavailableError } from './transport.errors';

/**
 * The two connections the client opens, in memory: `pub` takes appends (XADD) and `reader` blocks on the client's
 * reply stream (XREAD) until a test answers a request the way a server's ReplyWriter does.
 */
class FakeStreamsRedis {
  readonly pub = Object.assign(new EventEmitter(), {
    status: 'ready',
    appended: [] as { key: string; envelope: TransportEnvelope }[],
    /** Set to make XADD never answer (Redis accepted the connection but not the command). */
    hangAppends: false,
    failAppend: undefined as Error | undefined,
    xadd: jest.fn((key: string, _id: string, field: string, value: string): Promise<string> => {
      if (this.pub.failAppend) return Promise.reject(this.pub.failAppend);
      if (this.pub.hangAppends) return new Promise<string>(() => undefined);
      expect(field).toBe('envelope');
      this.pub.appended.push({ key, envelope: JSON.parse(value) as TransportEnvelope });
      return Promise.resolve(`${this.pub.appended.length}-0`);
    }),
    xtrim: jest.fn(() => Promise.resolve(0)),
    del: jest.fn(() => Promise.resolve(1)),
    quit: jest.fn(() => Promise.resolve('OK')),
    disconnect: jest.fn(),
  });

  readonly reader = Object.assign(new EventEmitter(), {
    reads: [] as unknown[][],
    xread: jest.fn((...args: unknown[]) => {
      this.reader.reads.push(args);
      if (this.queued.length > 0) return Promise.resolve(this.take(String(args[3])));
      return new Promise((resolve, reject) => (this.waiting = { resolve, reject, key: String(args[3]) }));
    }),
    disconnect: jest.fn(() => {
      this.waiting?.reject(new Error('Connection is closed.'));
      this.waiting = undefined;
    }),
  });

  private queued: [string, string[]][] = [];
  private waiting?: { resolve: (v: unknown) => void; reject: (e: Error) => void; key: string };
  private replyIds = 0;

  /** A reply entry on the client's reply stream (raw: what a broken writer might leave). */
  reply(body: Record<string, unknown> | string): void {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    this.queued.push([`9-${++this.replyIds}`, ['reply', raw]]);
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve(this.take(w.key));
    }
  }

  /** Answers the request appended `index`-th (0-based) with values or an error, as the server would. */
  answer(index: number, answer: { values?: unknown[]; err?: unknown }): void {
    const request = this.pub.appended[index].envelope;
    this.reply({ request_id: request.id, correlation_id: request.correlation_id, ...answer });
  }

  private take(key: string): [string, [string, string[]][]][] {
    const entries = this.queued;
    this.queued = [];
    return [[key, entries]];
  }
}

let mockRedis: FakeStreamsRedis;
jest.mock('./redis-connection', () => ({
  ...jest.requireActual<typeof import('./redis-connection')>('./redis-connection'),
  createRedisConnection: jest.fn(() => mockRedis.pub),
  duplicateConnection: jest.fn(() => mockRedis.reader),
}));

// A lost reply or acknowledgement shows as a hang: fail fast instead of at the e2e timeout.
jest.setTimeout(5_000);

const clients: RedisStreamsClient[] = [];
function client(options: ConstructorParameters<typeof RedisStreamsClient>[0] = {}): RedisStreamsClient {
  const c = new RedisStreamsClient({ keyPrefix: 'ea', from: 'ORCH', requestTimeoutMs: 2_000, ...options });
  clients.push(c);
  return c;
}

/** Until the client's pending work (the append, the reply loop's read) has run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  mockRedis = new FakeStreamsRedis();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('RedisStreamsClient.emit (publish)', () => {
  it('appends an envelope to the addressee’s stream and resolves with the entry id once Redis acknowledged it', async () => {
    const c = client();
    const id = await lastValueFrom(
      c.to('DEV-001').emit('task.execute', { task_id: 't1' }, { correlationId: 't1', traceparent: undefined }),
    );
    expect(id).toBe('1-0');
    expect(mockRedis.pub.appended).toHaveLength(1);
    const { key, envelope } = mockRedis.pub.appended[0];
    expect(key).toBe('ea:{DEV-001}:stream');
    expect(envelope).toMatchObject({
      from_agent: 'ORCH',
      to_agent: 'DEV-001',
      message_type: 'task.execute',
      payload: { task_id: 't1' },
      correlation_id: 't1',
    });
    expect(envelope.reply_to).toBeUndefined();
  });

  it('takes the address and options of a StreamsRecord, and broadcasts to ALL', async () => {
    const c = client({ defaultTarget: 'PM-001' });
    await lastValueFrom(c.emit('note', new StreamsRecord('hi', { from: 'PM-001', to: 'ALL' })));
    await lastValueFrom(c.emit('note', 'default'));
    expect(mockRedis.pub.appended.map((a) => [a.key, a.envelope.from_agent])).toEqual([
      ['ea:{ALL}:stream', 'PM-001'],
      ['ea:{PM-001}:stream', 'ORCH'],
    ]);
  });

  it('refuses a call with no address', async () => {
    await expect(lastValueFrom(client().emit('note', 1))).rejects.toThrow('no target address');
    expect(mockRedis.pub.xadd).not.toHaveBeenCalled();
  });

  it('fails with TransportUnavailableError when Redis does not acknowledge within appendTimeoutMs', async () => {
    mockRedis.pub.hangAppends = true;
    const c = client({ appendTimeoutMs: 30 });
    const error: unknown = await lastValueFrom(c.to('DEV-001').emit('note', 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportUnavailableError);
    expect((error as Error).message).toContain('Redis did not acknowledge "note" to DEV-001 within 30 ms');
  });

  it('fails with TransportUnavailableError when Redis is unreachable, and appends once it is ready', async () => {
    mockRedis.pub.status = 'connecting';
    const c = client({ appendTimeoutMs: 30 });
    await expect(lastValueFrom(c.to('DEV-001').emit('note', 1))).rejects.toThrow(TransportUnavailableError);
    const later = lastValueFrom(c.to('DEV-001').emit('note', 2));
    await settle();
    mockRedis.pub.status = 'ready';
    mockRedis.pub.emit('ready');
    await expect(later).resolves.toBe('1-0');
  });
});

describe('RedisStreamsClient.send (request/reply)', () => {
  it('asks for the reply on the client’s own reply stream and answers with the handler’s value', async () => {
    const c = client();
    const reply = firstValueFrom(c.to('DEV-001').send('tasks.get', { id: 1 }, { correlationId: 'task-1' }));
    await settle();
    const request = mockRedis.pub.appended[0].envelope;
    expect(request.reply_to).toBe(`ea:{${c.clientId}}:reply`);
    expect(request.correlation_id).toBe('task-1');
    mockRedis.answer(0, { values: [{ ok: true }] });
    await expect(reply).resolves.toEqual({ ok: true });
    expect(mockRedis.reader.xread).toHaveBeenCalledWith('BLOCK', 1000, 'STREAMS', request.reply_to, '0-0');
  });

  it('matches replies to requests by request id, whatever order they come in and whatever their correlation id', async () => {
    const c = client();
    const first = firstValueFrom(c.to('DEV-001').send('echo', 'a', { correlationId: 'same' }));
    const second = firstValueFrom(c.to('DEV-001').send('echo', 'b', { correlationId: 'same' }));
    await settle();
    mockRedis.answer(1, { values: ['B'] });
    mockRedis.answer(0, { values: ['A'] });
    await expect(Promise.all([first, second])).resolves.toEqual(['A', 'B']);
  });

  it('emits every value of a streamed reply, and completes on an empty one', async () => {
    const c = client();
    const many = lastValueFrom(c.to('DEV-001').send('list', {}).pipe(toArray()));
    const none = lastValueFrom(c.to('DEV-001').send('list', {}).pipe(toArray()));
    await settle();
    mockRedis.answer(0, { values: [1, 2, 3] });
    mockRedis.answer(1, { values: [] });
    await expect(many).resolves.toEqual([1, 2, 3]);
    await expect(none).resolves.toEqual([]);
  });

  it('fails with the handler’s error', async () => {
    const c = client();
    const reply = firstValueFrom(c.to('DEV-001').send('tasks.get', 1));
    await settle();
    mockRedis.answer(0, { err: { status: 'error', message: 'task not found' } });
    await expect(reply).rejects.toEqual({ status: 'error', message: 'task not found' });
  });

  it('skips an unreadable reply entry and delivers the next one', async () => {
    const c = client();
    const reply = firstValueFrom(c.to('DEV-001').send('tasks.get', 1));
    await settle();
    mockRedis.reply('{not json');
    mockRedis.answer(0, { values: ['ok'] });
    await expect(reply).resolves.toBe('ok');
  });

  it('trims the replies it read off its reply stream and reads on after the last one', async () => {
    const c = client();
    const reply = firstValueFrom(c.to('DEV-001').send('tasks.get', 1));
    await settle();
    mockRedis.answer(0, { values: ['ok'] });
    await reply;
    await settle();
    const key = `ea:{${c.clientId}}:reply`;
    expect(mockRedis.pub.xtrim).toHaveBeenCalledWith(key, 'MINID', '9-2');
    expect(mockRedis.reader.reads.at(-1)).toEqual(['BLOCK', 1000, 'STREAMS', key, '9-1']);
  });

  it('fails with TransportTimeoutError when no reply comes within the timeout, and ignores the late reply', async () => {
    const c = client({ requestTimeoutMs: 5_000 });
    const reply = firstValueFrom(c.to('DEV-001').send('slow', 1, { timeoutMs: 30, correlationId: 'task-9' }));
    const error: unknown = await reply.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportTimeoutError);
    expect((error as Error).message).toContain('no reply to "slow" from DEV-001 within 30 ms');
    expect((error as Error).message).toContain('correlation task-9');
    // A reply after the timeout reaches nobody and breaks nothing.
    mockRedis.answer(0, { values: ['late'] });
    const next = firstValueFrom(c.to('DEV-001').send('fast', 2));
    await settle();
    mockRedis.answer(1, { values: ['on time'] });
    await expect(next).resolves.toBe('on time');
  });

  it('fails when the request could not be appended', async () => {
    mockRedis.pub.failAppend = new Error('READONLY You can’t write against a read only replica.');
    const reply = firstValueFrom(client().to('DEV-001').send('tasks.get', 1));
    await expect(reply).rejects.toThrow('READONLY');
  });

  it('refuses to send to ALL (a request needs one addressee) and to no one', async () => {
    const c = client();
    await expect(firstValueFrom(c.send('tasks.get', new StreamsRecord(1, { to: 'ALL' })))).rejects.toThrow(
      'broadcast (ALL) is emit-only',
    );
    await expect(firstValueFrom(c.send('tasks.get', 1))).rejects.toThrow('no target address');
    expect(mockRedis.pub.xadd).not.toHaveBeenCalled();
  });

  it('fails requests still waiting when the client closes, and removes its reply stream', async () => {
    const c = client();
    const reply = firstValueFrom(c.to('DEV-001').send('tasks.get', 1));
    await settle();
    await c.close();
    await expect(reply).rejects.toThrow(TransportUnavailableError);
    await expect(reply).rejects.toThrow('client closed before the reply');
    expect(mockRedis.pub.del).toHaveBeenCalledWith(`ea:{${c.clientId}}:reply`);
    expect(mockRedis.pub.quit).toHaveBeenCalled();
    expect(mockRedis.reader.disconnect).toHaveBeenCalled();
  });
});
