import { PATH_RE, templatePaths } from '../engine/expressions';
import { INPUT_FIELD_TYPES, STEP_TYPES, WorkflowDefinition } from './workflow-definition';
import { budgetProblems } from '../run-budget';

/** What literal assignments are checked against (the agent catalog). */
export interface KnownAgents {
  roles: ReadonlySet<string>;
  capabilities: ReadonlySet<string>;
  agentIds: ReadonlySet<string>;
}

type Obj = Record<string, unknown>;

const NAME_RE = /^[a-z][a-z0-9_]{0,99}$/;
const STEP_ID_RE = /^[a-z][a-z0-9_]{0,63}$/;

const FIELDS: Record<string, string[]> = {
  task: [
    'type',
    'title',
    'description',
    'assign',
    'input',
    'timeout_seconds',
    'max_attempts',
    'priority',
    'on_failure',
    'next',
  ],
  foreach: ['type', 'items', 'body', 'on_failure', 'next'],
  dag: ['type', 'tasks', 'input', 'assign_default', 'timeout_seconds', 'max_attempts', 'on_failure', 'next'],
  approval: ['type', 'prompt', 'decisions', 'next'],
  end: ['type', 'status', 'outcome', 'output', 'error'],
};

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a parsed definition file; returns every problem as "<field path>: <message>" (empty when
 * valid). Beyond shapes it proves that edges point at existing steps, that every loop passes
 * through an edge with max_traversals (so every run ends), and that literal roles, capabilities
 * and agents exist in the catalog.
 */
export function validateDefinition(raw: unknown, known?: KnownAgents): string[] {
  const errors: string[] = [];
  if (!isObj(raw)) return ['definition must be a JSON object'];
  const allowed = ['name', 'description', 'input', 'start', 'steps', 'budget'];
  for (const key of Object.keys(raw)) if (!allowed.includes(key)) errors.push(`${key}: unknown field`);
  if (typeof raw.name !== 'string' || !NAME_RE.test(raw.name)) errors.push('name: must be a snake_case identifier');
  if (typeof raw.description !== 'string' || raw.description.trim() === '')
    errors.push('description: must be a non-empty string');
  if (raw.input !== undefined) {
    if (!isObj(raw.input)) errors.push('input: must be an object');
    else if (
      raw.input.required !== undefined &&
      (!Array.isArray(raw.input.required) || raw.input.required.some((r) => typeof r !== 'string'))
    ) {
      errors.push('input.required: must be a list of field names');
    }
    if (isObj(raw.input)) validateInputProperties(raw.input.properties, errors);
  }
  errors.push(...budgetProblems(raw.budget));
  validateGraph(raw, '', errors, known);
  return errors;
}

function validateGraph(graph: Obj, at: string, errors: string[], known?: KnownAgents): void {
  const here = (field: string) => `${at}${field}`;
  if (!isObj(graph.steps) || Object.keys(graph.steps).length === 0) {
    errors.push(`${here('steps')}: must be an object with at least one step`);
    return;
  }
  const steps = graph.steps;
  const ids = new Set(Object.keys(steps));
  if (typeof graph.start !== 'string' || !ids.has(graph.start))
    errors.push(`${here('start')}: must name one of the steps`);
  const unbounded = new Map<string, string[]>();
  for (const [id, step] of Object.entries(steps)) {
    const path = `${at}steps.${id}`;
    if (!STEP_ID_RE.test(id)) errors.push(`${path}: step ids are snake_case identifiers`);
    if (!isObj(step)) {
      errors.push(`${path}: must be an object`);
      continue;
    }
    const type = step.type;
    if (typeof type !== 'string' || !(STEP_TYPES as readonly string[]).includes(type)) {
      errors.push(`${path}.type: must be one of ${STEP_TYPES.join(', ')}`);
      continue;
    }
    for (const key of Object.keys(step))
      if (!FIELDS[type].includes(key)) errors.push(`${path}.${key}: unknown field for a ${type} step`);
    const targets: string[] = [];
    const edge = (field: string, value: unknown, bounded = false) => {
      if (typeof value !== 'string' || !ids.has(value))
        errors.push(`${path}.${field}: must name a step of the same graph (got ${JSON.stringify(value)})`);
      else if (!bounded) targets.push(value);
    };
    if (step.next !== undefined) {
      if (typeof step.next === 'string') edge('next', step.next);
      else if (isObj(step.next)) {
        const cases = step.next.cases;
        if (!Array.isArray(cases) || cases.length === 0) errors.push(`${path}.next.cases: must be a non-empty list`);
        else {
          cases.forEach((c, i) => {
            const cp = `${path}.next.cases[${i}]`;
            if (!isObj(c)) return errors.push(`${cp}: must be an object`);
            for (const key of Object.keys(c))
              if (!['when', 'to', 'max_traversals'].includes(key)) errors.push(`${cp}.${key}: unknown field`);
            validateCondition(c.when, `${cp}.when`, errors);
            if (c.max_traversals !== undefined && !isInt(c.max_traversals, 1, 100))
              errors.push(`${cp}.max_traversals: must be an integer 1-100`);
            edge(`next.cases[${i}].to`, c.to, c.max_traversals !== undefined);
          });
        }
        if (step.next.default !== undefined) edge('next.default', step.next.default);
        for (const key of Object.keys(step.next))
          if (!['cases', 'default'].includes(key)) errors.push(`${path}.next.${key}: unknown field`);
      } else errors.push(`${path}.next: must be a step id or {cases, default}`);
    }
    if (step.on_failure !== undefined) edge('on_failure', step.on_failure);
    unbounded.set(id, targets);
    switch (type) {
      case 'task':
        requireString(step.title, `${path}.title`, errors);
        checkTemplate(step.title, `${path}.title`, errors);
        if (step.description !== undefined) {
          requireString(step.description, `${path}.description`, errors);
          checkTemplate(step.description, `${path}.description`, errors);
        }
        validateAssignment(step.assign, `${path}.assign`, errors, known, true);
        checkMapping(step.input, `${path}.input`, errors);
        checkLimits(step, path, errors);
        if (step.priority !== undefined && !isInt(step.priority, -1000, 1000))
          errors.push(`${path}.priority: must be an integer -1000..1000`);
        break;
      case 'foreach':
        checkPath(step.items, `${path}.items`, errors);
        if (!isObj(step.body)) errors.push(`${path}.body: must be a graph {start, steps}`);
        else {
          for (const key of Object.keys(step.body))
            if (!['start', 'steps'].includes(key)) errors.push(`${path}.body.${key}: unknown field`);
          validateGraph(step.body, `${path}.body.`, errors, known);
        }
        break;
      case 'dag':
        checkPath(step.tasks, `${path}.tasks`, errors);
        checkMapping(step.input, `${path}.input`, errors);
        if (step.assign_default !== undefined)
          validateAssignment(step.assign_default, `${path}.assign_default`, errors, known, true);
        checkLimits(step, path, errors);
        break;
      case 'approval':
        requireString(step.prompt, `${path}.prompt`, errors);
        checkTemplate(step.prompt, `${path}.prompt`, errors);
        if (step.decisions !== undefined) {
          const d = step.decisions;
          if (
            !Array.isArray(d) ||
            d.length === 0 ||
            d.some((x) => typeof x !== 'string' || !STEP_ID_RE.test(x)) ||
            new Set(d).size !== d.length
          ) {
            errors.push(`${path}.decisions: must be a non-empty list of distinct snake_case words`);
          }
        }
        break;
      case 'end':
        if (step.status !== undefined && step.status !== 'completed' && step.status !== 'failed')
          errors.push(`${path}.status: must be completed or failed`);
        if (step.outcome !== undefined && (typeof step.outcome !== 'string' || !STEP_ID_RE.test(step.outcome)))
          errors.push(`${path}.outcome: must be a snake_case word`);
        checkMapping(step.output, `${path}.output`, errors);
        if (step.error !== undefined) {
          requireString(step.error, `${path}.error`, errors);
          checkTemplate(step.error, `${path}.error`, errors);
        }
        break;
    }
  }
  const cycle = findCycle(unbounded);
  if (cycle)
    errors.push(
      `${at}steps: the loop ${cycle.join(' -> ')} has no edge with max_traversals, so a run could loop forever`,
    );
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of graph.get(id) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of graph.keys()) {
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}

function isInt(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function requireString(v: unknown, path: string, errors: string[]): void {
  if (typeof v !== 'string' || v.trim() === '') errors.push(`${path}: must be a non-empty string`);
}

function checkPath(v: unknown, path: string, errors: string[]): void {
  if (typeof v !== 'string' || !PATH_RE.test(v) || !v.startsWith('$.'))
    errors.push(`${path}: must be a path such as $.steps.plan.output.tasks`);
}

function checkTemplate(v: unknown, path: string, errors: string[]): void {
  if (typeof v !== 'string') return;
  for (const p of templatePaths(v)) if (!PATH_RE.test(p)) errors.push(`${path}: invalid path ${p} in template`);
}

function checkMapping(v: unknown, path: string, errors: string[]): void {
  if (typeof v === 'string' && v.startsWith('$')) return checkPath(v, path, errors);
  if (Array.isArray(v)) return v.forEach((x, i) => checkMapping(x, `${path}[${i}]`, errors));
  if (isObj(v)) {
    if ('$literal' in v && Object.keys(v).length === 1) return;
    for (const [k, x] of Object.entries(v)) checkMapping(x, `${path}.${k}`, errors);
  }
}

function checkLimits(step: Obj, path: string, errors: string[]): void {
  if (step.timeout_seconds !== undefined && !isInt(step.timeout_seconds, 1, 86_400))
    errors.push(`${path}.timeout_seconds: must be an integer 1-86400`);
  if (step.max_attempts !== undefined && !isInt(step.max_attempts, 1, 20))
    errors.push(`${path}.max_attempts: must be an integer 1-20`);
}

function validateCondition(v: unknown, path: string, errors: string[]): void {
  if (!isObj(v)) return void errors.push(`${path}: must be {path, equals|not_equals|in|exists}`);
  checkPath(v.path, `${path}.path`, errors);
  for (const key of Object.keys(v))
    if (!['path', 'equals', 'not_equals', 'in', 'exists'].includes(key)) errors.push(`${path}.${key}: unknown field`);
  if (v.in !== undefined && !Array.isArray(v.in)) errors.push(`${path}.in: must be a list`);
  if (v.exists !== undefined && typeof v.exists !== 'boolean') errors.push(`${path}.exists: must be true or false`);
  if (!('equals' in v) && !('not_equals' in v) && v.in === undefined && v.exists === undefined)
    errors.push(`${path}: needs equals, not_equals, in or exists`);
}

function validateAssignment(
  v: unknown,
  path: string,
  errors: string[],
  known: KnownAgents | undefined,
  required: boolean,
): void {
  if (!isObj(v)) return void errors.push(`${path}: must be an object with agent_id, role or capability`);
  for (const key of Object.keys(v))
    if (!['agent_id', 'role', 'capability', 'min_proficiency'].includes(key))
      errors.push(`${path}.${key}: unknown field`);
  if (required && v.agent_id === undefined && v.role === undefined && v.capability === undefined)
    errors.push(`${path}: needs agent_id, role or capability`);
  if (v.min_proficiency !== undefined && !isInt(v.min_proficiency, 1, 10))
    errors.push(`${path}.min_proficiency: must be an integer 1-10`);
  const check = (field: 'agent_id' | 'role' | 'capability', set: ReadonlySet<string> | undefined, what: string) => {
    const value = v[field];
    if (value === undefined) return;
    if (typeof value !== 'string' || value === '') return void errors.push(`${path}.${field}: must be a string`);
    if (value.startsWith('$')) return checkPath(value, `${path}.${field}`, errors);
    if (set && !set.has(value)) errors.push(`${path}.${field}: no ${what} "${value}" in the agent catalog`);
  };
  check('agent_id', known?.agentIds, 'agent');
  check('role', known?.roles, 'role');
  check('capability', known?.capabilities, 'capability');
}

/** A definition that passed validation. */
export function asDefinition(raw: unknown): WorkflowDefinition {
  return raw as WorkflowDefinition;
}

function validateInputProperties(properties: unknown, errors: string[]): void {
  if (properties === undefined) return;
  if (!isObj(properties)) {
    errors.push('input.properties: must be an object of fields');
    return;
  }
  for (const [name, field] of Object.entries(properties)) {
    const at = `input.properties.${name}`;
    if (!isObj(field) || !(INPUT_FIELD_TYPES as readonly unknown[]).includes(field.type))
      errors.push(`${at}.type: must be one of ${INPUT_FIELD_TYPES.join(', ')}`);
    else if (field.description !== undefined && typeof field.description !== 'string')
      errors.push(`${at}.description: must be a string`);
  }
}
