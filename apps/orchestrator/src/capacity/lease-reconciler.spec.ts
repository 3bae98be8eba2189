import type { RoutingService } from '../routing/routing.service';
import type { Dispatcher } from '../tasks/dispatcher.service';
import type { AttemptSlot, TaskStore } from '../tasks/store';
import { LeaseReconciler, staleLeases } from './lease-reconciler.service';
import type { SlotLeases } from './slot-leases.service';

describe('staleLeases (reconciling slot leases with the attempts in flight)', () => {
  it('drops a lease only when no attempt in flight backed it in two rounds in a row', () => {
    const held = ['t1:1', 't2:1', 't3:2'];
    const first = staleLeases(held, new Set(['t1:1']), new Set());
    expect(first.drop).toEqual([]);
    expect(first.suspects).toEqual(new Set(['t2:1', 't3:2']));
    // t2 got its attempt row meanwhile (it was leased just before being written); t3 is still unbacked.
    const second = staleLeases(held, new Set(['t1:1', 't2:1']), first.suspects);
    expect(second.drop).toEqual(['t3:2']);
  });

  it('keeps the lease of a current attempt even after an older attempt of the same task', () => {
    const out = staleLeases(['t1:2'], new Set(['t1:2']), new Set(['t1:1', 't1:2']));
    expect(out.drop).toEqual([]);
    expect(out.suspects.size).toBe(0);
  });
});

const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';

/** The reconciler with its edges faked: leases held per agent (Redis), attempts in flight (PostgreSQL). */
function reconciler(held: Record<string, string[]>, inFlight: string[]) {
  // The task store's answer: of the tasks asked about, the attempts out on the agent.
  const query = jest.fn((_agentId: string, taskIds: string[]) =>
    Promise.resolve(inFlight.filter((id) => taskIds.includes(id.split(':')[0]))),
  );
  const release = jest.fn();
  const slotFreed = jest.fn();
  // The dispatcher gives the slots back (through the routing's release, as for any recorded attempt that ended).
  const freeSlots = (slots: AttemptSlot[]) => slots.forEach((s) => release(s.agent_id, s.task_id, s.attempt));
  const instance = new LeaseReconciler(
    { attemptsInFlight: query } as unknown as TaskStore,
    { held: (agentId: string) => Promise.resolve(held[agentId] ?? []) } as unknown as SlotLeases,
    { leasedAgents: () => Object.keys(held) } as unknown as RoutingService,
    { slotFreed, freeSlots } as unknown as Dispatcher,
  );
  return { instance, query, release, slotFreed };
}

describe('LeaseReconciler.reconcile (one round)', () => {
  it('releases a lease no attempt in flight backs on its second round, and wakes the dispatcher', async () => {
    const { instance, query, release, slotFreed } = reconciler({ 'DEV-001': [`${T1}:1`, `${T2}:3`] }, [`${T1}:1`]);
    expect(await instance.reconcile()).toBe(0);
    expect(release).not.toHaveBeenCalled();
    expect(query).toHaveBeenCalledWith('DEV-001', [T1, T2]);
    expect(await instance.reconcile()).toBe(1);
    expect(release.mock.calls).toEqual([['DEV-001', T2, 3]]);
    expect(slotFreed).toHaveBeenCalledTimes(1);
  });

  it('leaves alone leases that are not of a task (another writer’s ids) and agents holding none', async () => {
    const { instance, query, release, slotFreed } = reconciler({ 'DEV-001': ['warmup:1'], 'DEV-002': [] }, []);
    await instance.reconcile();
    expect(await instance.reconcile()).toBe(0);
    expect(query).not.toHaveBeenCalled();
    expect(release).not.toHaveBeenCalled();
    expect(slotFreed).not.toHaveBeenCalled();
  });
});
