import Redis from 'ioredis';
import { CancelSignals } from './task-signals';

/** Just the two commands `standing` sends, answering or failing as told. */
function fakeRedis(answers: { set: () => Promise<string | null>; mget: () => Promise<(string | null)[]> }): Redis {
  return { set: answers.set, mget: answers.mget } as unknown as Redis;
}

const claim = { agentId: 'QA-001', entryId: '2-0', until: new Date(Date.now() + 60_000) };

describe('CancelSignals.standing with an attempt claim', () => {
  it('runs the entry that took the claim or already holds it, and refuses a copy', async () => {
    const answer = (holder: string | null) =>
      new CancelSignals(
        fakeRedis({ set: () => Promise.resolve(holder), mget: () => Promise.resolve([null, null]) }),
      ).standing('t', 1, claim);
    await expect(answer(null)).resolves.toEqual({ kind: 'current' });
    await expect(answer('2-0')).resolves.toEqual({ kind: 'current' });
    await expect(answer('1-0')).resolves.toEqual({ kind: 'duplicate', entry: '1-0' });
  });

  it('puts cancel and supersede before the claim', async () => {
    const signals = (mget: (string | null)[]) =>
      new CancelSignals(fakeRedis({ set: () => Promise.resolve('1-0'), mget: () => Promise.resolve(mget) }));
    await expect(signals(['1', null]).standing('t', 1, claim)).resolves.toEqual({ kind: 'canceled' });
    await expect(signals([null, '3']).standing('t', 1, claim)).resolves.toEqual({ kind: 'superseded', current: 3 });
  });

  it('rejects once when Redis fails both commands, leaving no rejection unhandled (a host died of that)', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const down = () => Promise.reject(new Error('Reached the max retries per request limit'));
      await expect(new CancelSignals(fakeRedis({ set: down, mget: down })).standing('t', 1, claim)).rejects.toThrow(
        'max retries',
      );
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
