import { IssueCollector, joinPath, ValidationIssue } from './validation';

/** What a plan may route to: the catalog's roles and capabilities. */
export interface PlanVocabulary {
  roles: ReadonlySet<string>;
  capabilities: ReadonlySet<string>;
}

export function validatePlan(output: unknown, vocabulary: PlanVocabulary): ValidationIssue[] {
  const c = new IssueCollector();
  const root = c.root(output, 'plan');
  if (!root) return c.issues;
  c.string(root, 'summary', '');
  const tasks = c.array(root, 'tasks', '', { minItems: 1 });

  const ids = new Map<string, number>();
  const edges = new Map<string, string[]>();
  c.objects(tasks, 'tasks', (task, path) => {
    const id = c.string(task, 'id', path);
    c.string(task, 'title', path);
    c.string(task, 'description', path);
    const role = c.string(task, 'role', path, { optional: true });
    const capability = c.string(task, 'capability', path, { optional: true });
    c.string(task, 'topic', path, { optional: true });
    if (task.role == null && task.capability == null) c.add(path, 'needs a role or a capability to route it');
    if (role !== undefined && !vocabulary.roles.has(role)) c.add(joinPath(path, 'role'), `unknown role "${role}"`);
    if (capability !== undefined && !vocabulary.capabilities.has(capability)) {
      c.add(joinPath(path, 'capability'), `unknown capability "${capability}"`);
    }
    const deps = c.strings(c.array(task, 'depends_on', path), joinPath(path, 'depends_on'));
    if (id === undefined) return;
    if (ids.has(id)) c.add(joinPath(path, 'id'), `duplicate task id "${id}" (also tasks[${ids.get(id)}])`);
    else {
      ids.set(id, ids.size);
      edges.set(id, deps);
    }
  });

  // References are checked once every id is known, so forward references are fine.
  c.objects(tasks, 'tasks', (task, path) => {
    const deps = Array.isArray(task.depends_on) ? task.depends_on : [];
    deps.forEach((dep, i) => {
      if (typeof dep !== 'string') return;
      if (dep === task.id) c.add(joinPath(joinPath(path, 'depends_on'), i), `task "${dep}" depends on itself`);
      else if (!ids.has(dep)) c.add(joinPath(joinPath(path, 'depends_on'), i), `unknown task id "${dep}"`);
    });
  });
  const cycle = findCycle(edges);
  if (cycle) c.add('tasks', `dependency cycle: ${cycle.join(' -> ')}`);
  return c.issues;
}

/** Returns one cycle (first node repeated at the end) or undefined; self-loops are reported elsewhere. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    // Iterative DFS: a long generated chain must not overflow the stack.
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    state.set(start, 'visiting');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const deps = (edges.get(frame.node) ?? []).filter((d) => d !== frame.node && edges.has(d));
      if (frame.next >= deps.length) {
        state.set(frame.node, 'done');
        stack.pop();
        continue;
      }
      const dep = deps[frame.next++];
      const seen = state.get(dep);
      if (seen === 'visiting') {
        const from = stack.findIndex((f) => f.node === dep);
        return [...stack.slice(from).map((f) => f.node), dep];
      }
      if (seen === undefined) {
        state.set(dep, 'visiting');
        stack.push({ node: dep, next: 0 });
      }
    }
  }
  return undefined;
}
