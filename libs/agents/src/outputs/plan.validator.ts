import { compileOutputSchema, RuleIssue } from './compiled-validator';
import { FULL_OUTPUT_SCHEMAS } from './output-schemas';
import { isRecord, joinPath, ValidationIssue } from '@app/contracts';

/** What a plan may route to: the catalog's roles and capabilities. */
export interface PlanVocabulary {
  roles: ReadonlySet<string>;
  capabilities: ReadonlySet<string>;
}

const checkPlan = compileOutputSchema('plan', FULL_OUTPUT_SCHEMAS.plan);
const nonBlank = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

export function validatePlan(output: unknown, vocabulary: PlanVocabulary): ValidationIssue[] {
  return checkPlan(output, planRules(output, vocabulary));
}

/** Routing, unique ids, known dependencies, no cycles: the plan rules JSON Schema can not say. */
function planRules(output: unknown, vocabulary: PlanVocabulary): RuleIssue[] {
  const tasks = isRecord(output) && Array.isArray(output.tasks) ? output.tasks : [];
  const issues: RuleIssue[] = [];
  const ids = new Map<string, number>();
  const edges = new Map<string, string[]>();
  tasks.forEach((task, index) => {
    if (!isRecord(task)) return;
    const path = joinPath('tasks', index);
    // Listed where the hand-written validator listed them: routing after the task's fields, ids after the task.
    const routing = joinPath(path, 'topic');
    if (task.role == null && task.capability == null)
      issues.push({ path, message: 'needs a role or a capability to route it', after: routing });
    if (nonBlank(task.role) && !vocabulary.roles.has(task.role))
      issues.push({ path: joinPath(path, 'role'), message: `unknown role "${task.role}"`, after: routing });
    if (nonBlank(task.capability) && !vocabulary.capabilities.has(task.capability))
      issues.push({
        path: joinPath(path, 'capability'),
        message: `unknown capability "${task.capability}"`,
        after: routing,
      });
    const id = task.id;
    if (!nonBlank(id)) return;
    const first = ids.get(id);
    if (first !== undefined)
      issues.push({
        path: joinPath(path, 'id'),
        message: `duplicate task id "${id}" (also tasks[${first}])`,
        after: path,
      });
    else {
      ids.set(id, ids.size);
      edges.set(id, Array.isArray(task.depends_on) ? task.depends_on.filter(nonBlank) : []);
    }
  });

  // References are checked once every id is known, so forward references are fine.
  tasks.forEach((task, index) => {
    if (!isRecord(task) || !Array.isArray(task.depends_on)) return;
    const path = joinPath(joinPath('tasks', index), 'depends_on');
    task.depends_on.forEach((dep, i) => {
      if (typeof dep !== 'string') return;
      if (dep === task.id)
        issues.push({ path: joinPath(path, i), message: `task "${dep}" depends on itself`, after: 'tasks' });
      else if (!ids.has(dep))
        issues.push({ path: joinPath(path, i), message: `unknown task id "${dep}"`, after: 'tasks' });
    });
  });
  const cycle = findCycle(edges);
  if (cycle) issues.push({ path: 'tasks', message: `dependency cycle: ${cycle.join(' -> ')}`, after: 'tasks' });
  return issues;
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
