import { ConsumerLoop } from './consumer-loop';
import type { Lane, StreamEntry } from './lane';
import { FakeRedis, testLane, testLog, testOptions } from './testing/fake-redis';

type Dispatched = [id: string, fields: string[] | null, deliveries: number, cause?: string];

/**
 * Runs a loop over scripted XREADGROUP answers (one per read, then empty ones); stops after `reads` reads.
 * The reader and command connection are fakes; what the loop hands to the delivery policy is recorded.
 */
function setup(script: Array<StreamEntry[] | Error>, reads: number, lane: Lane = testLane()) {
  const cmd = new FakeRedis();
  const reader = new FakeRedis();
  lane.reader = reader.connection();
  const dispatched: Dispatched[] = [];
  const state = { running: true };
  let n = 0;
  reader.replies.set('xreadgroup', () => {
    const next = script[n++];
    if (n >= reads) state.running = false;
    if (next instanceof Error) throw next;
    return next && next.length > 0 ? [[lane.key, next]] : null;
  });
  // Redis' delivery counter: 3 for every entry unless set.
  cmd.replies.set('xpending', (_key, _group, id) => [[id, 'c0', 1000, 3]]);
  const delivery = { dispatch: (_l: Lane, ...rest: Dispatched) => void dispatched.push(rest) };
  const options = testOptions({ blockMs: 10, claimIntervalMs: 60_000 });
  const loop = new ConsumerLoop(cmd.connection(), options, delivery, testLog().log, () => state.running);
  return { cmd, reader, loop, lane, dispatched, readArgs: () => reader.sent('xreadgroup') };
}

const entry = (id: string): StreamEntry => [id, ['envelope', `{"n":"${id}"}`]];

describe('ConsumerLoop', () => {
  it('resumes its own pending entries first, with their delivery count, then reads new ones', async () => {
    const t = setup([[entry('1-0'), entry('2-0')], [], [entry('3-0')]], 3, testLane({ concurrency: 5 }));
    await t.loop.run(t.lane);
    expect(t.readArgs().map((a) => a[a.length - 1])).toEqual(['0', '2-0', '>']);
    expect(t.readArgs()[0]).toEqual(
      ['GROUP', 'workers', 'c1', 'COUNT', 5, 'BLOCK', 10, 'STREAMS', 'ea:{DEV-001}:stream', '0'],
    ); // prettier-ignore
    expect(t.dispatched).toEqual([
      ['1-0', ['envelope', '{"n":"1-0"}'], 3, 'recovered'],
      ['2-0', ['envelope', '{"n":"2-0"}'], 3, 'recovered'],
      ['3-0', ['envelope', '{"n":"3-0"}'], 1, undefined],
    ]);
  });

  it('assumes a second delivery when Redis no longer knows the count of a recovered entry', async () => {
    const t = setup([[entry('1-0')]], 1);
    t.cmd.replies.set('xpending', () => []);
    await t.loop.run(t.lane);
    expect(t.dispatched).toEqual([['1-0', ['envelope', '{"n":"1-0"}'], 2, 'recovered']]);
  });

  it('never asks for more entries than there are free slots', async () => {
    const t = setup([[], []], 2, testLane({ concurrency: 3, inFlight: 2 }));
    t.cmd.replies.set('xautoclaim', () => ['0-0', [], []]);
    await t.loop.run(t.lane);
    expect(t.readArgs().map((a) => a[4])).toEqual([1, 1]);
  });

  it('reclaims idle entries of other consumers into free slots, skipping those it holds itself', async () => {
    const lane = testLane({ concurrency: 4, held: new Set(['5-0']) });
    const t = setup([[], []], 2, lane);
    t.cmd.replies.set('xautoclaim', () => ['6-0', [entry('5-0'), entry('4-0')], []]);
    await t.loop.run(t.lane);
    expect(t.cmd.sent('xautoclaim')[0]).toEqual(['ea:{DEV-001}:stream', 'workers', 'c1', 30_000, '0-0', 'COUNT', 4]);
    expect(lane.claimCursor).toBe('6-0');
    expect(t.dispatched).toEqual([['4-0', ['envelope', '{"n":"4-0"}'], 3, 'reclaimed']]);
    // The read after it asks for new entries; the next reclaim waits for claimIntervalMs.
    expect(t.readArgs().map((a) => a[a.length - 1])).toEqual(['0', '>']);
    expect(t.cmd.sent('xautoclaim')).toHaveLength(1);
  });

  it('recreates a lost consumer group (NOGROUP) and goes on reading', async () => {
    const t = setup([new Error('NOGROUP No such key or consumer group'), [], [entry('7-0')]], 3);
    t.cmd.replies.set('xautoclaim', () => ['0-0', [], []]);
    await t.loop.run(t.lane);
    expect(t.cmd.sent('xgroup')).toEqual([['CREATE', 'ea:{DEV-001}:stream', 'workers', '0', 'MKSTREAM']]);
    expect(t.dispatched).toEqual([['7-0', ['envelope', '{"n":"7-0"}'], 1, undefined]]);
  });

  it('ensureGroup accepts an existing group and rethrows anything else', async () => {
    const t = setup([], 0);
    t.cmd.fail.set('xgroup', new Error('BUSYGROUP Consumer Group name already exists'));
    await expect(t.loop.ensureGroup(t.lane)).resolves.toBeUndefined();
    t.cmd.fail.set('xgroup', new Error('NOPERM'));
    await expect(t.loop.ensureGroup(t.lane)).rejects.toThrow('NOPERM');
  });
});
