import { orderByLoad } from './route-order';

const agent = (agent_id: string, current_tasks = 0, max_tasks = 3) => ({ agent_id, current_tasks, max_tasks });

describe('orderByLoad (which agent is tried first for a slot)', () => {
  it('puts the least loaded first, by the lease counts seen over the registry report', () => {
    const agents = [agent('A-001', 0), agent('B-001', 0), agent('C-001', 2)];
    const seen = new Map([
      ['A-001', { used: 3, capacity: 3 }],
      ['B-001', { used: 1, capacity: 4 }],
    ]);
    expect(orderByLoad(agents, seen, 0).map((a) => a.agent_id)).toEqual(['B-001', 'C-001', 'A-001']);
  });

  it('compares load as a share of capacity (agents replicated on several hosts have more slots)', () => {
    const seen = new Map([
      ['A-001', { used: 2, capacity: 6 }],
      ['B-001', { used: 1, capacity: 2 }],
    ]);
    expect(orderByLoad([agent('B-001'), agent('A-001')], seen, 0)[0].agent_id).toBe('A-001');
  });

  it('tries the previous attempt’s agent last when there is another', () => {
    const agents = [agent('A-001', 0), agent('B-001', 2)];
    expect(orderByLoad(agents, new Map(), 0, 'A-001').map((a) => a.agent_id)).toEqual(['B-001', 'A-001']);
    expect(orderByLoad([agent('A-001')], new Map(), 0, 'A-001').map((a) => a.agent_id)).toEqual(['A-001']);
  });

  it('rotates among equally loaded agents so a burst spreads', () => {
    const agents = [agent('A-001'), agent('B-001'), agent('C-001')];
    const firsts = [0, 1, 2].map((r) => orderByLoad(agents, new Map(), r)[0].agent_id);
    expect(firsts).toEqual(['A-001', 'B-001', 'C-001']);
  });
});
