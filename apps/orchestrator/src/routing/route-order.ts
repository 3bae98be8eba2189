import type { AgentLoad } from '@app/contracts';

/** An agent routing may pick: the registry's answer (@app/contracts registry-api). */
export type Candidate = AgentLoad;

/**
 * The order in which to try agents for a lease: least loaded first, by the lease counts last seen
 * (which count every replica's attempts), else by the registry's report. Equal loads rotate so a
 * burst spreads; `avoid` (the previous attempt's agent) goes last when there is another.
 */
export function orderByLoad(
  agents: readonly Candidate[],
  seen: ReadonlyMap<string, { used: number; capacity: number }>,
  rotation: number,
  avoid?: string | null,
): Candidate[] {
  const offset = agents.length > 0 ? rotation % agents.length : 0;
  const scored = agents.map((a, i) => {
    const s = seen.get(a.agent_id);
    const load = s ? s.used / Math.max(1, s.capacity) : a.current_tasks / Math.max(1, a.max_tasks);
    const last = agents.length > 1 && a.agent_id === avoid ? 1 : 0;
    return { a, last, load, turn: (i - offset + agents.length) % agents.length };
  });
  scored.sort((x, y) => x.last - y.last || x.load - y.load || x.turn - y.turn);
  return scored.map((s) => s.a);
}
