import { LeaseOutcome } from '../routing/routing.service';
import { leaseInOrder } from './lease-in-order';

interface T {
  id: string;
  route: string;
}

/** A fake slot pool per route: `free[route]` slots, or no agent at all when the route is missing. */
function pool(free: Record<string, number>) {
  const calls: string[] = [];
  const lease = (t: T): Promise<LeaseOutcome> => {
    calls.push(t.id);
    if (!(t.route in free)) return Promise.resolve({ miss: 'no_agent' });
    if (free[t.route] === 0) return Promise.resolve({ miss: 'no_slot' });
    free[t.route] -= 1;
    return Promise.resolve({ agent_id: `${t.route.toUpperCase()}-001`, release: () => undefined });
  };
  return { lease, calls };
}

describe('leaseInOrder (the dispatch scan’s choices)', () => {
  const tasks: T[] = [
    { id: 'hi-1', route: 'dev' },
    { id: 'hi-2', route: 'nobody' },
    { id: 'mid-1', route: 'dev' },
    { id: 'mid-2', route: 'nobody' },
    { id: 'lo-1', route: 'dev' },
    { id: 'lo-2', route: 'qa' },
  ];

  it('gives free slots to the first in line of each route and stops a route at its first miss', async () => {
    const { lease, calls } = pool({ dev: 2, qa: 1 });
    const full = new Set<string>();
    const waiting = new Set<string>();
    const out = await leaseInOrder(tasks, (t) => t.route, lease, full, waiting);
    expect(out.routed.map((r) => r.task.id).sort()).toEqual(['hi-1', 'lo-2', 'mid-1']);
    // lo-1 asked once (the miss); nobody's second task never asked.
    expect(calls.filter((c) => c.startsWith('lo-1'))).toHaveLength(1);
    expect(calls).not.toContain('mid-2');
    expect(waiting).toEqual(new Set(['dev']));
    expect(full).toEqual(new Set(['dev', 'nobody']));
  });

  it('reports every task of a route nobody serves as unroutable (they back off), without blocking the others', async () => {
    const { lease } = pool({ qa: 5 });
    const out = await leaseInOrder(tasks, (t) => t.route, lease, new Set(), new Set());
    expect(out.unroutable.map((t) => t.id).sort()).toEqual(['hi-1', 'hi-2', 'lo-1', 'mid-1', 'mid-2']);
    expect(out.routed.map((r) => r.task.id)).toEqual(['lo-2']);
  });

  it('skips routes already full earlier in the scan without asking for a lease', async () => {
    const { lease, calls } = pool({ dev: 5, qa: 5 });
    const out = await leaseInOrder(tasks, (t) => t.route, lease, new Set(['dev', 'nobody']), new Set());
    expect(calls).toEqual(['lo-2']);
    expect(out.routed.map((r) => r.task.id)).toEqual(['lo-2']);
  });
});
