/* eslint-disable @typescript-eslint/no-explicit-any -- the cases mutate arbitrary JSON shapes */
import { formatIssue } from '../schema/validation-issue';
import { KnownAgents } from './workflow-definition.rules';
import { MAX_WORKFLOW_DEFINITION_DEPTH, validateWorkflowDefinition } from './workflow-definition.validator';

const known: KnownAgents = {
  roles: new Set(['backend_dev']),
  capabilities: new Set(['code_review']),
  agentIds: new Set(['PM-001']),
};

const problems = (raw: unknown): string[] => validateWorkflowDefinition(raw, known).map(formatIssue);

const valid = (): any => ({
  name: 'demo',
  description: 'demo',
  input: { required: ['x'], properties: { x: { type: 'string', description: 'the x' } } },
  budget: { max_tokens: 1000, max_cost_usd: 0.5 },
  start: 'a',
  steps: {
    a: {
      type: 'task',
      title: 'A {{ $.input.x }}',
      assign: { role: 'backend_dev' },
      input: { x: '$.input.x' },
      next: 'b',
    },
    b: {
      type: 'task',
      title: 'B',
      assign: { capability: 'code_review', min_proficiency: 3 },
      next: {
        cases: [{ when: { path: '$.steps.b.output.verdict', equals: 'revise' }, to: 'a', max_traversals: 2 }],
        default: 'each',
      },
    },
    each: {
      type: 'foreach',
      items: '$.steps.a.output.items',
      body: { start: 'one', steps: { one: { type: 'end', outcome: 'done', output: { item: '$.item' } } } },
      next: 'graph',
    },
    graph: { type: 'dag', tasks: '$.steps.a.output.tasks', assign_default: { agent_id: 'PM-001' }, next: 'ok' },
    ok: { type: 'approval', prompt: 'Ship {{ $.input.x }}?', decisions: ['ship', 'stop'], next: 'done' },
    done: { type: 'end', status: 'completed', output: { lit: { $literal: '$.not_a_path..' } } },
  },
});

describe('validateWorkflowDefinition', () => {
  it('accepts a definition using every step kind', () => {
    expect(problems(valid())).toEqual([]);
  });

  it.each([
    ['null', null],
    ['an array', [valid()]],
    ['a string', 'demo'],
  ])('refuses %s as a whole, naming no field', (_, raw) => {
    expect(validateWorkflowDefinition(raw)).toEqual([{ path: '', message: 'definition must be a JSON object' }]);
  });

  it.each([
    ['an unknown step kind', (d: any) => (d.steps.a.type = 'wait'), 'steps.a.type: must be one of task, foreach'],
    ['a step without a kind', (d: any) => delete d.steps.a.type, 'steps.a.type: must be one of'],
    ['a kind that is not a string', (d: any) => (d.steps.a.type = ['task']), 'steps.a.type: must be one of'],
    ['a step that is not an object', (d: any) => (d.steps.a = 'task'), 'steps.a: must be an object'],
    ['an unknown root field', (d: any) => (d.owner = 'me'), 'owner: unknown field'],
    ['a field of another kind', (d: any) => (d.steps.a.items = '$.x'), 'steps.a.items: unknown field for a task step'],
    [
      'an unknown field in an edge',
      (d: any) => (d.steps.b.next.otherwise = 'a'),
      'steps.b.next.otherwise: unknown field',
    ],
    [
      'an unknown field in a condition',
      (d: any) => (d.steps.b.next.cases[0].when.matches = 'x'),
      'steps.b.next.cases[0].when.matches: unknown field',
    ],
    [
      'an unknown field in an assignment',
      (d: any) => (d.steps.a.assign.team = 'x'),
      'steps.a.assign.team: unknown field',
    ],
    ['an unknown field in a body', (d: any) => (d.steps.each.body.end = 'one'), 'steps.each.body.end: unknown field'],
    ['an unknown field in the budget', (d: any) => (d.budget.max_usd = 1), 'budget.max_usd: unknown field'],
    ['an unknown field in the input', (d: any) => (d.input.optional = ['y']), 'input.optional: unknown field'],
    [
      'an unknown field of an input field',
      (d: any) => (d.input.properties.x.format = 'email'),
      'input.properties.x.format: unknown field',
    ],
    ['a title that is a number', (d: any) => (d.steps.a.title = 3), 'steps.a.title: must be a non-empty string'],
    ['a blank title', (d: any) => (d.steps.a.title = ' \n'), 'steps.a.title: must be a non-empty string'],
    ['a missing title', (d: any) => delete d.steps.a.title, 'steps.a.title: is required'],
    [
      'a fractional timeout',
      (d: any) => (d.steps.a.timeout_seconds = 1.5),
      'steps.a.timeout_seconds: must be an integer 1-86400',
    ],
    [
      'a string max_attempts',
      (d: any) => (d.steps.a.max_attempts = '3'),
      'steps.a.max_attempts: must be an integer 1-20',
    ],
    [
      'a priority out of range',
      (d: any) => (d.steps.a.priority = 1001),
      'steps.a.priority: must be an integer -1000..1000',
    ],
    [
      'a min_proficiency of 0',
      (d: any) => (d.steps.b.assign.min_proficiency = 0),
      'steps.b.assign.min_proficiency: must be an integer 1-10',
    ],
    ['an empty role', (d: any) => (d.steps.a.assign = { role: '' }), 'steps.a.assign.role: must be a string'],
    [
      'a next that is a number',
      (d: any) => (d.steps.a.next = 7),
      'steps.a.next: must be a step id or {cases, default}',
    ],
    ['no cases', (d: any) => (d.steps.b.next.cases = []), 'steps.b.next.cases: must be a non-empty list'],
    [
      'a condition without a test',
      (d: any) => delete d.steps.b.next.cases[0].when.equals,
      'steps.b.next.cases[0].when: needs equals',
    ],
    [
      'an `in` that is not a list',
      (d: any) => (d.steps.b.next.cases[0].when.in = 'x'),
      'steps.b.next.cases[0].when.in: must be a list',
    ],
    ['a foreach over a non-path', (d: any) => (d.steps.each.items = 'items'), 'steps.each.items: must be a path'],
    [
      'a body that is not a graph',
      (d: any) => (d.steps.each.body = []),
      'steps.each.body: must be a graph {start, steps}',
    ],
    [
      'repeated decisions',
      (d: any) => (d.steps.ok.decisions = ['ship', 'ship']),
      'steps.ok.decisions: must be a non-empty list of distinct',
    ],
    [
      'an end status of its own',
      (d: any) => (d.steps.done.status = 'skipped'),
      'steps.done.status: must be completed or failed',
    ],
    [
      'a step id that is not snake_case',
      (d: any) => (d.steps['Step-A'] = { type: 'end' }),
      'steps.Step-A: step ids are snake_case identifiers',
    ],
    ['no steps', (d: any) => (d.steps = {}), 'steps: must be an object with at least one step'],
    ['a negative budget', (d: any) => (d.budget.max_cost_usd = -1), 'budget.max_cost_usd: must be a number > 0'],
    [
      'an input field of no known type',
      (d: any) => (d.input.properties.x.type = 'date'),
      'input.properties.x.type: must be one of string',
    ],
    ['a name with capitals', (d: any) => (d.name = 'Demo'), 'name: must be a snake_case identifier'],
    // The rules JSON Schema can not say, once the structure holds.
    [
      'an edge to an unknown step',
      (d: any) => (d.steps.ok.next = 'toString'),
      'steps.ok.next: must name a step of the same graph (got "toString")',
    ],
    [
      'an edge out of a foreach body',
      (d: any) => (d.steps.each.body.start = 'a'),
      'steps.each.body.start: must name one of the steps',
    ],
    [
      'an on_failure to nowhere',
      (d: any) => (d.steps.graph.on_failure = 'nowhere'),
      'steps.graph.on_failure: must name a step',
    ],
    [
      'an unbounded loop',
      (d: any) => (d.steps.done = { type: 'task', title: 'x', assign: { role: 'backend_dev' }, next: 'ok' }),
      'steps: the loop ok -> done -> ok has no edge with max_traversals',
    ],
    [
      'a bad path in a mapping',
      (d: any) => (d.steps.a.input = { list: ['$.ok', { x: '$.input..x' }] }),
      'steps.a.input.list[1].x: must be a path',
    ],
    [
      'a bad path in a template',
      (d: any) => (d.steps.ok.prompt = 'Ship {{ $.input.[x] }}?'),
      'steps.ok.prompt: invalid path $.input.[x] in template',
    ],
    [
      'a bad path as a role',
      (d: any) => (d.steps.a.assign = { role: '$.item.' }),
      'steps.a.assign.role: must be a path',
    ],
    [
      'an agent not in the catalog',
      (d: any) => (d.steps.graph.assign_default = { agent_id: 'XX-001' }),
      'steps.graph.assign_default.agent_id: no agent "XX-001" in the agent catalog',
    ],
  ])('refuses %s, naming the field', (_, mutate, message) => {
    const d = valid();
    mutate(d);
    expect(problems(d).join('\n')).toContain(message);
  });

  it('lists every structural problem at once, one per field', () => {
    const d = valid();
    d.name = 3;
    d.steps.a.title = '';
    d.steps.a.title2 = 'x';
    d.steps.b.next.cases[0].max_traversals = 101;
    expect(problems(d)).toEqual([
      'name: must be a snake_case identifier',
      'steps.a.title2: unknown field for a task step',
      'steps.a.title: must be a non-empty string',
      'steps.b.next.cases[0].max_traversals: must be an integer 1-100',
    ]);
  });

  describe('hostile definitions', () => {
    it('keys named like Object.prototype members are steps like any other, never inherited ones', () => {
      const d = valid();
      d.steps.ok.next = 'constructor';
      expect(problems(d)).toEqual(['steps.ok.next: must name a step of the same graph (got "constructor")']);
      const proto = JSON.parse('{"__proto__": {"type": "end"}}');
      expect(problems({ ...valid(), steps: { ...valid().steps, ...proto } })).toEqual([
        'steps.__proto__: step ids are snake_case identifiers',
      ]);
    });

    it('validates foreach bodies nested 60 deep and names the deepest field', () => {
      const nested = (depth: number, leaf: object): object =>
        depth === 0
          ? { start: 'leaf', steps: { leaf } }
          : {
              start: 'loop',
              steps: { loop: { type: 'foreach', items: '$.item.children', body: nested(depth - 1, leaf) } },
            };
      const deep = (levels: number, leaf: object) => ({ name: 'deep', description: 'deep', ...nested(levels, leaf) });
      expect(problems(deep(60, { type: 'end' }))).toEqual([]);
      const [problem] = problems(deep(60, { type: 'end', status: 'maybe' }));
      expect(problem).toMatch(
        /^steps\.loop(\.body\.steps\.loop){59}\.body\.steps\.leaf\.status: must be completed or failed$/,
      );
      // A thousand levels would overflow the compiled validator's stack: refused as a whole, before it runs.
      expect(problems(deep(1000, { type: 'end' }))).toEqual([
        `definition is nested deeper than ${MAX_WORKFLOW_DEFINITION_DEPTH} levels`,
      ]);
    });

    it('walks a mapping as deep as the limit allows, and refuses a deeper one as a whole', () => {
      const mappingOf = (depth: number): unknown => {
        let mapping: unknown = '$.input..x';
        for (let i = 0; i < depth; i++) mapping = { x: mapping };
        return mapping;
      };
      const d = valid();
      d.steps.a.input = mappingOf(MAX_WORKFLOW_DEFINITION_DEPTH - 4); // under steps.a.input
      const [problem] = problems(d);
      expect(problem).toMatch(/^steps\.a\.input(\.x){252}: must be a path such as \$\.steps\.plan\.output\.tasks$/);
      d.steps.a.input = mappingOf(100_000);
      expect(problems(d)).toEqual([`definition is nested deeper than ${MAX_WORKFLOW_DEFINITION_DEPTH} levels`]);
    });

    it('finds a loop through 50,000 steps without recursion', () => {
      const steps: Record<string, object> = {};
      for (let i = 0; i < 50_000; i++) steps[`s${i}`] = { type: 'approval', prompt: 'p', next: `s${(i + 1) % 50_000}` };
      expect(problems({ name: 'long', description: 'long', start: 's0', steps })).toEqual([
        expect.stringMatching(/^steps: the loop s0 -> s1 -> .* -> s49999 -> s0 has no edge with max_traversals/),
      ]);
    });

    it('checks huge arrays item by item, without giving up on the first', () => {
      const d = valid();
      d.steps.ok.decisions = Array.from({ length: 100_000 }, (_, i) => `d${i}`);
      expect(problems(d)).toEqual([]);
      d.steps.ok.decisions.push('d5');
      expect(problems(d)).toEqual(['steps.ok.decisions: must be a non-empty list of distinct snake_case words']);
      d.steps.ok.decisions = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? `d${i}` : i));
      const issues = problems(d);
      expect(issues).toHaveLength(500);
      expect(issues[0]).toBe('steps.ok.decisions[1]: must be a snake_case word');
    });

    it('names a numeric key of an object as a key, not an index', () => {
      const d = valid();
      d.input.properties = { '0': { type: 'tuple' } };
      expect(problems(d)).toEqual([
        'input.properties.0.type: must be one of string, string_list, integer, number, boolean, object',
      ]);
    });
  });
});
