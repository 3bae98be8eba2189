import { joinPath, ValidationIssue } from '../schema/validation-issue';
import { isScopePath, PATH_MESSAGE, PATH_RE, templatePaths } from './workflow-paths';
import { Assignment, StepDefinition, WorkflowDefinition, WorkflowGraph } from './workflow-definition';

/** What literal assignments are checked against (the agent catalog). */
export interface KnownAgents {
  roles: ReadonlySet<string>;
  capabilities: ReadonlySet<string>;
  agentIds: ReadonlySet<string>;
}

/**
 * What JSON Schema can not say about a definition whose structure is valid: `start` and every edge name a step of
 * their own graph, every loop passes through an edge with max_traversals (so every run ends), paths in mappings and
 * templates parse, and literal roles, capabilities and agents exist in the catalog.
 */
export function workflowRuleIssues(definition: WorkflowDefinition, known?: KnownAgents): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  graphIssues(definition, '', issues, known);
  return issues;
}

function graphIssues(graph: WorkflowGraph, at: string, issues: ValidationIssue[], known?: KnownAgents): void {
  const push = (path: string, message: string) => issues.push({ path, message });
  const stepsPath = joinPath(at, 'steps');
  const ids = new Set(Object.keys(graph.steps));
  if (!ids.has(graph.start)) push(joinPath(at, 'start'), 'must name one of the steps');
  const unbounded = new Map<string, string[]>();
  for (const [id, step] of Object.entries(graph.steps)) {
    const path = joinPath(stepsPath, id);
    const targets: string[] = [];
    const edge = (field: string, target: string, bounded = false) => {
      if (!ids.has(target))
        push(`${path}.${field}`, `must name a step of the same graph (got ${JSON.stringify(target)})`);
      else if (!bounded) targets.push(target);
    };
    const next = step.type === 'end' ? undefined : step.next;
    if (typeof next === 'string') edge('next', next);
    else if (next !== undefined) {
      next.cases.forEach((c, i) => edge(`next.cases[${i}].to`, c.to, c.max_traversals !== undefined));
      if (next.default !== undefined) edge('next.default', next.default);
    }
    if ('on_failure' in step && step.on_failure !== undefined) edge('on_failure', step.on_failure);
    unbounded.set(id, targets);
    stepIssues(step, path, push, known);
    if (step.type === 'foreach') graphIssues(step.body, `${path}.body`, issues, known);
  }
  const cycle = findCycle(unbounded);
  if (cycle)
    push(stepsPath, `the loop ${cycle.join(' -> ')} has no edge with max_traversals, so a run could loop forever`);
}

type Push = (path: string, message: string) => void;

function stepIssues(step: StepDefinition, path: string, push: Push, known?: KnownAgents): void {
  const template = (field: string, value: string | undefined) => {
    for (const p of templatePaths(value ?? ''))
      if (!PATH_RE.test(p)) push(`${path}.${field}`, `invalid path ${p} in template`);
  };
  switch (step.type) {
    case 'task':
      template('title', step.title);
      template('description', step.description);
      assignmentIssues(step.assign, `${path}.assign`, push, known);
      mappingIssues(step.input, `${path}.input`, push);
      break;
    case 'dag':
      mappingIssues(step.input, `${path}.input`, push);
      if (step.assign_default) assignmentIssues(step.assign_default, `${path}.assign_default`, push, known);
      break;
    case 'approval':
      template('prompt', step.prompt);
      break;
    case 'end':
      mappingIssues(step.output, `${path}.output`, push);
      template('error', step.error);
      break;
    case 'foreach':
      break;
  }
}

/** "$" strings of a mapping must be paths; `{"$literal": x}` is taken as written. Walked without recursion. */
function mappingIssues(mapping: unknown, path: string, push: Push): void {
  const pending: [unknown, string][] = [[mapping, path]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, at] = next;
    if (typeof value === 'string') {
      if (value.startsWith('$') && !isScopePath(value)) push(at, PATH_MESSAGE);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], `${at}[${i}]`]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length === 1 && entries[0][0] === '$literal') continue;
      for (let i = entries.length - 1; i >= 0; i--) pending.push([entries[i][1], `${at}.${entries[i][0]}`]);
    }
  }
}

function assignmentIssues(assignment: Assignment, path: string, push: Push, known?: KnownAgents): void {
  const check = (field: 'agent_id' | 'role' | 'capability', set: ReadonlySet<string> | undefined, what: string) => {
    const value = assignment[field];
    if (value === undefined) return;
    if (value.startsWith('$')) {
      if (!isScopePath(value)) push(`${path}.${field}`, PATH_MESSAGE);
    } else if (set && !set.has(value)) push(`${path}.${field}`, `no ${what} "${value}" in the agent catalog`);
  };
  check('agent_id', known?.agentIds, 'agent');
  check('role', known?.roles, 'role');
  check('capability', known?.capabilities, 'capability');
}

/** A loop of unbounded edges, as the step ids around it (the first repeated at the end); depth-first, no recursion. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  for (const root of graph.keys()) {
    if (state.has(root)) continue;
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const targets = graph.get(top.id) ?? [];
      if (top.next === targets.length) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const target = targets[top.next++];
      if (state.get(target) === 'visiting') {
        const from = stack.findIndex((frame) => frame.id === target);
        return [...stack.slice(from).map((frame) => frame.id), target];
      }
      if (!state.has(target)) {
        state.set(target, 'visiting');
        stack.push({ id: target, next: 0 });
      }
    }
  }
  return undefined;
}
