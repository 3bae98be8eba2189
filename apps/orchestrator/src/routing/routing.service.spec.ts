import { Logger } from '@nestjs/common';
import { loadConfig } from '@app/config';
import type { AgentLoad, RegistryClient } from '@app/contracts';
import type { LeaseAnswer, SlotLeases } from '../capacity/slot-leases.service';
import { routeKey, RoutingService } from './routing.service';

/**
 * Slot leases as the Redis script keeps them, in memory: an agent's capacity is what its hosts report (`capacity`),
 * else the registry's max_tasks; re-acquiring a held lease renews it without taking another slot.
 */
class FakeSlotLeases {
  readonly held = new Map<string, Set<string>>();
  readonly capacity = new Map<string, number>();
  /** `agent lease-id` of every acquire, in call order. */
  readonly tried: string[] = [];
  failRelease?: Error;

  hold(agentId: string, ...ids: string[]): void {
    for (const id of ids) this.leasesOf(agentId).add(id);
  }

  acquire(agentId: string, id: string, _ttlMs: number, fallbackCapacity: number): Promise<LeaseAnswer> {
    this.tried.push(`${agentId} ${id}`);
    const leases = this.leasesOf(agentId);
    const capacity = this.capacity.get(agentId) ?? fallbackCapacity;
    if (!leases.has(id) && leases.size >= capacity)
      return Promise.resolve({ granted: false, used: leases.size, capacity });
    leases.add(id);
    return Promise.resolve({ granted: true, used: leases.size, capacity });
  }

  extend = jest.fn((agentId: string, id: string) => Promise.resolve(this.leasesOf(agentId).has(id)));

  release = jest.fn((agentId: string, id: string) => {
    if (this.failRelease) return Promise.reject(this.failRelease);
    this.leasesOf(agentId).delete(id);
    return Promise.resolve();
  });

  private leasesOf(agentId: string): Set<string> {
    let set = this.held.get(agentId);
    if (!set) this.held.set(agentId, (set = new Set()));
    return set;
  }
}

const agent = (agent_id: string, current_tasks = 0, max_tasks = 2): AgentLoad => ({
  agent_id,
  current_tasks,
  max_tasks,
});

const ROLE = { role: 'backend_dev' };
const TTL = 60_000;
let now = 1_000_000;
let warn: jest.SpyInstance;

function routing(cacheMs = 1000) {
  const leases = new FakeSlotLeases();
  const discover = jest.fn<Promise<AgentLoad[]>, [unknown]>().mockResolvedValue([]);
  const registry = { discover } as unknown as RegistryClient;
  const service = new RoutingService(
    loadConfig({ ORCHESTRATOR_DISCOVERY_CACHE_MS: String(cacheMs) }),
    leases as unknown as SlotLeases,
    registry,
  );
  const lease = (task_id: string, avoid?: string | null, spec: Parameters<typeof routeKey>[0] = ROLE) =>
    service.lease(spec, { task_id, attempt: 1 }, TTL, avoid);
  return { service, leases, discover, lease };
}

beforeEach(() => {
  now = 1_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('RoutingService.lease (which agent gets a slot for an attempt)', () => {
  it('leases a slot on the least loaded agent, with the attempt’s lease id, ttl and the registry’s max_tasks', async () => {
    const { service, leases, discover } = routing();
    discover.mockResolvedValue([agent('A-001', 2, 3), agent('B-001', 0, 3)]);
    const acquire = jest.spyOn(leases, 'acquire');
    expect(await service.lease(ROLE, { task_id: 't1', attempt: 2 }, TTL)).toMatchObject({ agent_id: 'B-001' });
    expect(acquire).toHaveBeenCalledTimes(1);
    expect(acquire).toHaveBeenCalledWith('B-001', 't1:2', TTL, 3);
    expect(discover).toHaveBeenCalledWith(ROLE);
  });

  it('moves on to the next agent when one has no free slot', async () => {
    const { leases, discover, lease } = routing();
    discover.mockResolvedValue([agent('A-001', 0), agent('B-001', 1)]);
    // Another replica holds A's only slot (its host reports one).
    leases.capacity.set('A-001', 1);
    leases.hold('A-001', 'other:1');
    expect(await lease('t1')).toMatchObject({ agent_id: 'B-001' });
    expect(leases.tried).toEqual(['A-001 t1:1', 'B-001 t1:1']);
  });

  it('answers no_slot when every agent is full, and no_agent when discovery finds none', async () => {
    const { leases, discover, lease } = routing();
    discover.mockResolvedValue([agent('A-001', 0, 1)]);
    leases.hold('A-001', 'other:1');
    expect(await lease('t1')).toEqual({ miss: 'no_slot' });
    const empty = routing();
    expect(await empty.lease('t1')).toEqual({ miss: 'no_agent' });
    expect(empty.leases.tried).toEqual([]);
  });

  it('tries the previous attempt’s agent last, and still uses it when it is the only one with a slot', async () => {
    const { leases, discover, lease } = routing();
    discover.mockResolvedValue([agent('A-001', 0), agent('B-001', 1)]);
    expect(await lease('t1', 'A-001')).toMatchObject({ agent_id: 'B-001' });
    leases.capacity.set('B-001', 1);
    expect(await lease('t2', 'A-001')).toMatchObject({ agent_id: 'A-001' });
    expect(leases.tried).toEqual(['B-001 t1:1', 'B-001 t2:1', 'A-001 t2:1']);
  });

  it('orders by the lease counts the last lease calls answered (all replicas), over the registry’s stale load', async () => {
    const { leases, discover, lease } = routing();
    // The registry thinks A idle; another replica has leased two of its three slots.
    discover.mockResolvedValue([agent('A-001', 0, 3), agent('B-001', 1, 3)]);
    leases.hold('A-001', 'other:1', 'other:2');
    expect(await lease('t1')).toMatchObject({ agent_id: 'A-001' });
    // A now answered 3 of 3 used: B (1 of 3 by the registry) goes first although A's report still says idle.
    expect(await lease('t2')).toMatchObject({ agent_id: 'B-001' });
    expect(leases.tried).toEqual(['A-001 t1:1', 'B-001 t2:1']);
  });

  it('spreads a burst over equally loaded agents', async () => {
    const { discover, lease } = routing();
    discover.mockResolvedValue([agent('A-001', 0, 5), agent('B-001', 0, 5)]);
    const agents = [];
    for (const id of ['t1', 't2', 't3', 't4']) agents.push(((await lease(id)) as { agent_id: string }).agent_id);
    expect(agents).toEqual(['A-001', 'B-001', 'A-001', 'B-001']);
  });
});

describe('RoutingService discovery (cached, coalesced, remembered)', () => {
  it('reuses an answer for ORCHESTRATOR_DISCOVERY_CACHE_MS, then asks again', async () => {
    const { discover, lease } = routing(1000);
    discover.mockResolvedValue([agent('A-001', 0, 10)]);
    await lease('t1');
    now += 999;
    await lease('t2');
    expect(discover).toHaveBeenCalledTimes(1);
    now += 2;
    await lease('t3');
    expect(discover).toHaveBeenCalledTimes(2);
  });

  it('keeps one answer per route', async () => {
    const { discover, lease } = routing();
    discover.mockResolvedValue([agent('A-001', 0, 10)]);
    await lease('t1', null, { role: 'backend_dev' });
    await lease('t2', null, { role: 'frontend_dev' });
    await lease('t3', null, { role: 'backend_dev' });
    expect(discover.mock.calls.map((c) => c[0])).toEqual([{ role: 'backend_dev' }, { role: 'frontend_dev' }]);
  });

  it('asks the registry once for concurrent leases of one route', async () => {
    const { discover, lease } = routing();
    let answer!: (agents: AgentLoad[]) => void;
    discover.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const leased = Promise.all([lease('t1'), lease('t2'), lease('t3')]);
    await Promise.resolve();
    answer([agent('A-001', 0, 10)]);
    expect((await leased).map((l) => ('agent_id' in l ? l.agent_id : l.miss))).toEqual(['A-001', 'A-001', 'A-001']);
    expect(discover).toHaveBeenCalledTimes(1);
  });

  it('keeps an empty answer only briefly (an agent that registers is found within 250 ms)', async () => {
    const { discover, lease } = routing(5000);
    expect(await lease('t1')).toEqual({ miss: 'no_agent' });
    now += 200;
    await lease('t1');
    expect(discover).toHaveBeenCalledTimes(1);
    now += 100;
    discover.mockResolvedValue([agent('A-001')]);
    expect(await lease('t1')).toMatchObject({ agent_id: 'A-001' });
    expect(discover).toHaveBeenCalledTimes(2);
  });

  it('keeps an empty answer no longer than the cache itself when that is shorter', async () => {
    const { discover, lease } = routing(100);
    await lease('t1');
    now += 101;
    await lease('t1');
    expect(discover).toHaveBeenCalledTimes(2);
  });

  it('keeps trying the agents last found for 10 s while discovery finds none (the registry hides full agents)', async () => {
    const { leases, discover, lease } = routing(1000);
    discover.mockResolvedValueOnce([agent('A-001', 0, 1)]);
    expect(await lease('t1')).toMatchObject({ agent_id: 'A-001' });
    // A is full, so the registry stops listing it; its slot frees meanwhile.
    leases.held.get('A-001')?.clear();
    now += 5_000;
    expect(await lease('t2')).toMatchObject({ agent_id: 'A-001' });
    expect(discover).toHaveBeenCalledTimes(2);
    leases.held.get('A-001')?.clear();
    now += 6_000;
    expect(await lease('t3')).toEqual({ miss: 'no_agent' });
  });

  it('treats a failed discovery as no agent (tasks wait) and warns', async () => {
    const { discover, lease } = routing();
    discover.mockRejectedValue(new Error('connect ECONNREFUSED'));
    expect(await lease('t1')).toEqual({ miss: 'no_agent' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('connect ECONNREFUSED'));
  });

  it('asks again after invalidate() (an agent registered or went offline)', async () => {
    const { service, discover, lease } = routing(60_000);
    discover.mockResolvedValue([agent('A-001', 0, 10)]);
    await lease('t1');
    service.invalidate();
    await lease('t2');
    expect(discover).toHaveBeenCalledTimes(2);
  });
});

describe('RoutingService.release and extend', () => {
  it('gives the slot back and counts it free at once for the next choice', async () => {
    const { service, leases, discover, lease } = routing();
    discover.mockResolvedValue([agent('A-001', 0, 2), agent('B-001', 0, 2)]);
    expect(await lease('t1')).toMatchObject({ agent_id: 'A-001' });
    expect(await lease('t2')).toMatchObject({ agent_id: 'B-001' });
    expect(await lease('t3')).toMatchObject({ agent_id: 'A-001' });
    service.release('A-001', 't1', 1);
    service.release('A-001', 't3', 1);
    expect(leases.release.mock.calls).toEqual([
      ['A-001', 't1:1'],
      ['A-001', 't3:1'],
    ]);
    // A: 0 of 2 now, B: 1 of 2 (without the local count A would still look full).
    expect(await lease('t4')).toMatchObject({ agent_id: 'A-001' });
    expect(service.leasedAgents().sort()).toEqual(['A-001', 'B-001']);
  });

  it('does nothing for an attempt that had no agent', () => {
    const { service, leases } = routing();
    service.release(null, 't1', 1);
    service.release(undefined, 't1', 1);
    expect(leases.release).not.toHaveBeenCalled();
  });

  it('only warns when Redis fails to release or extend (the lease expires on its own)', async () => {
    const { service, leases } = routing();
    leases.failRelease = new Error('Redis down');
    leases.extend.mockRejectedValueOnce(new Error('Redis down'));
    expect(() => service.release('A-001', 't1', 1)).not.toThrow();
    service.extend('A-001', 't2', 1, 120_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(leases.extend).toHaveBeenCalledWith('A-001', 't2:1', 120_000);
    // One warning per 10 s at most.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('slot lease update failed: Redis down');
  });
});

describe('routeKey (tasks routed alike wait for the same agents)', () => {
  it('is the agent when one is named, else the capability with its minimum proficiency and role, else the role', () => {
    expect(routeKey({ agent_id: 'A-001', role: 'backend_dev', capability: 'sql' })).toBe('agent:A-001');
    expect(routeKey({ capability: 'sql', role: 'backend_dev' })).toBe('cap:sql:1:backend_dev');
    expect(routeKey({ capability: 'sql', min_proficiency: 3 })).toBe('cap:sql:3:');
    expect(routeKey({ role: 'backend_dev' })).toBe('role:backend_dev');
    expect(routeKey({})).toBe('role:');
  });
});
