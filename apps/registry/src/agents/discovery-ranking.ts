import type { RankedAgent } from '@app/contracts';
/** A discovery candidate after Redis's fresher load was laid over PostgreSQL's. */
export interface DiscoveryCandidate {
  agent_id: string;
  name: string;
  role: string;
  current_tasks: number;
  max_tasks: number;
  proficiency_level?: number;
}

export type { RankedAgent };

export function loadPercentage(current: number, max: number): number {
  return max > 0 ? Math.round((current / max) * 10_000) / 100 : 100;
}

function hasCapacity(c: DiscoveryCandidate, maxLoad?: number): boolean {
  return c.current_tasks < c.max_tasks && (maxLoad === undefined || c.current_tasks < maxLoad);
}

function view(c: DiscoveryCandidate): RankedAgent {
  const out: RankedAgent = {
    agent_id: c.agent_id,
    name: c.name,
    role: c.role,
    current_tasks: c.current_tasks,
    max_tasks: c.max_tasks,
    load_percentage: loadPercentage(c.current_tasks, c.max_tasks),
  };
  if (c.proficiency_level !== undefined) out.proficiency_level = c.proficiency_level;
  return out;
}

/**
 * Discovery by role, as the seed did it: free capacity only, least busy first (fewest current
 * tasks, then lowest load percentage, then agent id so equal agents keep a stable order).
 * `maxLoad` excludes agents whose current_tasks is not below it.
 */
export function rankByLoad(candidates: readonly DiscoveryCandidate[], maxLoad?: number): RankedAgent[] {
  return candidates
    .filter((c) => hasCapacity(c, maxLoad))
    .sort(
      (a, b) =>
        a.current_tasks - b.current_tasks ||
        loadPercentage(a.current_tasks, a.max_tasks) - loadPercentage(b.current_tasks, b.max_tasks) ||
        compareIds(a, b),
    )
    .map(view);
}

/** Discovery by capability: most free slots first, then the most proficient, then least busy. */
export function rankByCapability(candidates: readonly DiscoveryCandidate[]): RankedAgent[] {
  return candidates
    .filter((c) => hasCapacity(c))
    .sort(
      (a, b) =>
        b.max_tasks - b.current_tasks - (a.max_tasks - a.current_tasks) ||
        (b.proficiency_level ?? 0) - (a.proficiency_level ?? 0) ||
        a.current_tasks - b.current_tasks ||
        compareIds(a, b),
    )
    .map(view);
}

function compareIds(a: DiscoveryCandidate, b: DiscoveryCandidate): number {
  return a.agent_id < b.agent_id ? -1 : a.agent_id > b.agent_id ? 1 : 0;
}
