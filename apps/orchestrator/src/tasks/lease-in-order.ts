import { Lease, LeaseOutcome } from '../routing/routing.service';

/**
 * The scan's choices for one batch of waiting tasks, given in dispatch order (priority, then FIFO):
 * each route's tasks are leased one after another, so the first in line gets the first free slot;
 * a route's first miss ends it for the rest of the scan (`full`): on `no_slot` its tasks keep
 * waiting (`waitingFor`), on `no_agent` they back off (`unroutable`). Routes lease in parallel.
 */
export async function leaseInOrder<T>(
  tasks: readonly T[],
  keyOf: (t: T) => string,
  lease: (t: T) => Promise<LeaseOutcome>,
  full: Set<string>,
  waitingFor: Set<string>,
): Promise<{ routed: { task: T; lease: Lease }[]; unroutable: T[] }> {
  const byRoute = new Map<string, T[]>();
  for (const t of tasks) {
    const key = keyOf(t);
    if (full.has(key)) continue;
    const list = byRoute.get(key);
    if (list) list.push(t);
    else byRoute.set(key, [t]);
  }
  const routed: { task: T; lease: Lease }[] = [];
  const unroutable: T[] = [];
  await Promise.all(
    [...byRoute.entries()].map(async ([key, list]) => {
      for (let i = 0; i < list.length; i++) {
        const outcome = await lease(list[i]);
        if ('agent_id' in outcome) {
          routed.push({ task: list[i], lease: outcome });
          continue;
        }
        full.add(key);
        if (outcome.miss === 'no_slot') waitingFor.add(key);
        else unroutable.push(...list.slice(i));
        return;
      }
    }),
  );
  return { routed, unroutable };
}
