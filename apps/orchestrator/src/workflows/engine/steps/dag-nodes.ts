import { isObject } from '../expressions';
import { DagNode } from '../run-state';

const NODE_ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The nodes of a dag step, checked: unique ids, known dependencies, no cycle. A string is the problem. */
export function parseDagNodes(value: unknown): DagNode[] | string {
  if (!Array.isArray(value)) return 'is not a list';
  if (value.length === 0) return 'has no tasks';
  if (value.length > 200) return 'has more than 200 tasks';
  const nodes: DagNode[] = [];
  const ids = new Set<string>();
  for (const [i, raw] of value.entries()) {
    if (!isObject(raw)) return `task ${i} is not an object`;
    const id = raw.id;
    if (typeof id !== 'string' || !NODE_ID_RE.test(id)) return `task ${i} has no valid id`;
    if (ids.has(id)) return `task id ${id} appears twice`;
    ids.add(id);
    const deps = raw.depends_on ?? [];
    if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string'))
      return `task ${id}: depends_on must be a list of ids`;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    nodes.push({
      id,
      title: str(raw.title) ?? id,
      description: str(raw.description) ?? '',
      role: str(raw.role),
      capability: str(raw.capability),
      agent_id: str(raw.agent_id),
      depends_on: deps as string[],
      status: 'waiting',
    });
  }
  for (const n of nodes) {
    const unknown = n.depends_on.find((d) => !ids.has(d));
    if (unknown !== undefined) return `task ${n.id} depends on unknown task ${unknown}`;
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): boolean => {
    if (state.get(id) === 'done') return true;
    if (state.get(id) === 'visiting') return false;
    state.set(id, 'visiting');
    for (const d of byId.get(id)!.depends_on) if (!visit(d)) return false;
    state.set(id, 'done');
    return true;
  };
  for (const n of nodes) if (!visit(n.id)) return `dependencies form a cycle through ${n.id}`;
  return nodes;
}
