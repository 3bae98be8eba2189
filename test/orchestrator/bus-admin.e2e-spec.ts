import Redis from 'ioredis';
import { TransportKeys } from '@app/transport';
import { TEST_REDIS_URL } from '../support/test-env';
import { Json, TestSystem, waitFor } from './support/system';

jest.setTimeout(120_000);

/** Operators see and handle dead letters through the orchestrator's HTTP API. */
describe('orchestrator bus admin (real agent host consuming, real Redis)', () => {
  const system = new TestSystem();
  const AGENT = 'QA-003';
  let redis: Redis;
  let keys: TransportKeys;

  beforeAll(async () => {
    await system.start({ hosts: [AGENT] });
    await system.agentsOnline([AGENT]);
    redis = new Redis(TEST_REDIS_URL);
    keys = new TransportKeys(system.transportPrefix);
  });

  afterAll(async () => {
    await redis?.quit();
    await system.stop();
  });

  const deadLetters = async (): Promise<Json[]> =>
    (await system.call('GET', `/api/bus/streams/${AGENT}/dead-letters`)).body.dead_letters;

  it('lists a malformed entry with its reason, replays it, and purges it', async () => {
    await redis.xadd(keys.stream(AGENT), '*', 'envelope', '{not json');
    const [entry] = await waitFor('the malformed entry to be dead-lettered', async () => {
      const list = await deadLetters();
      return list.length === 1 ? list : undefined;
    });
    expect(entry).toMatchObject({ address: AGENT, reason: 'malformed_json', original: { envelope: '{not json' } });

    const stats = await system.call('GET', `/api/bus/streams/${AGENT}`);
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ address: AGENT, dead_letters: 1 });

    // Replayed as written, the entry is malformed again: it comes back to the dead-letter stream.
    const replay = await system.call('POST', `/api/bus/streams/${AGENT}/dead-letters/replay`, { ids: [entry.id] });
    expect(replay).toMatchObject({ status: 200, body: { replayed: 1, missing: [] } });
    const again = await waitFor('the replayed entry to be dead-lettered again', async () => {
      const list = await deadLetters();
      return list.length === 1 && list[0].id !== entry.id ? list[0] : undefined;
    });
    expect(again.reason).toBe('malformed_json');

    const purge = await system.call('POST', `/api/bus/streams/${AGENT}/dead-letters/purge`, {});
    expect(purge).toMatchObject({ status: 200, body: { purged: 1 } });
    expect(await deadLetters()).toEqual([]);
  });

  it('answers 404 for replaying an unknown dead letter and 400 naming the field for bad input', async () => {
    const unknown = await system.call('POST', `/api/bus/streams/${AGENT}/dead-letters/replay`, { ids: ['1-0'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('DEAD_LETTER_NOT_FOUND');

    const badAddress = await system.call('GET', '/api/bus/streams/bad%20address/dead-letters');
    expect(badAddress.status).toBe(400);
    expect(badAddress.body.message).toMatch(/address/);

    const badId = await system.call('POST', `/api/bus/streams/${AGENT}/dead-letters/purge`, { ids: ['x'] });
    expect(badId.status).toBe(400);
    expect(badId.body.message).toMatch(/ids/);

    const badCount = await system.call('GET', `/api/bus/streams/${AGENT}/dead-letters?count=0`);
    expect(badCount.status).toBe(400);
    expect(badCount.body.message).toMatch(/count/);
  });
});
