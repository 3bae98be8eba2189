import { AckBatcher } from './ack-batcher';
import { FakeRedis, settle, testLane, testLog } from './testing/fake-redis';

describe('AckBatcher', () => {
  it('sends the acks of one tick as one multi-id XACK, then releases the entries', async () => {
    const redis = new FakeRedis();
    const acks = new AckBatcher(redis.connection(), testLog().log);
    const lane = testLane({ held: new Set(['1-0', '2-0', '3-0']) });
    acks.ack(lane, '1-0');
    acks.ack(lane, '2-0');
    expect(lane.acking).toBe(2);
    expect(redis.commands).toEqual([]); // nothing on the wire before the tick ends
    await settle();
    expect(redis.commands).toEqual([['xack', 'ea:{DEV-001}:stream', 'workers', '1-0', '2-0']]);
    expect(lane.acking).toBe(0);
    expect([...lane.held]).toEqual(['3-0']);
    acks.ack(lane, '3-0');
    await settle();
    expect(redis.sent('xack')).toEqual([
      ['ea:{DEV-001}:stream', 'workers', '1-0', '2-0'],
      ['ea:{DEV-001}:stream', 'workers', '3-0'],
    ]);
  });

  it('wakes drain only once nothing is in flight or being acknowledged', async () => {
    const redis = new FakeRedis();
    const acks = new AckBatcher(redis.connection(), testLog().log);
    const lane = testLane({ inFlight: 1 });
    const idle = jest.fn();
    lane.idleWaiters.push(idle);
    acks.ack(lane, '1-0');
    await settle();
    expect(idle).not.toHaveBeenCalled(); // another handler still runs
    lane.inFlight = 0;
    acks.ack(lane, '2-0');
    await settle();
    expect(idle).toHaveBeenCalledTimes(1);
  });

  it('releases the entries after a failed XACK too (they are redelivered later) and says so', async () => {
    const redis = new FakeRedis();
    redis.fail.set('xack', new Error('Connection is closed'));
    const { log, lines } = testLog();
    const acks = new AckBatcher(redis.connection(), log);
    const lane = testLane({ held: new Set(['1-0']) });
    const idle = jest.fn();
    lane.idleWaiters.push(idle);
    acks.ack(lane, '1-0');
    await settle();
    expect(lane.acking).toBe(0);
    expect(lane.held.size).toBe(0);
    expect(idle).toHaveBeenCalledTimes(1);
    expect(lines).toEqual(['ack on DEV-001: Connection is closed']);
  });
});
