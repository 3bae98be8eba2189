import fc from 'fast-check';
import { validateOutput } from './output-validators';
import { findCycle, PlanVocabulary, validatePlan } from './plan.validator';
import { formatIssue } from '@app/contracts';

const vocabulary: PlanVocabulary = {
  roles: new Set(['backend_dev', 'qa_engineer']),
  capabilities: new Set(['cardiology', 'code_review']),
};
const task = (id: string, depends_on: string[] = [], extra: Record<string, unknown> = { role: 'backend_dev' }) => ({
  id,
  title: `Task ${id}`,
  description: `Do ${id}`,
  depends_on,
  ...extra,
});
const messages = (output: unknown) => validatePlan(output, vocabulary).map(formatIssue);

describe('plan validator', () => {
  it('accepts a small DAG routed by role and capability', () => {
    expect(
      messages({
        summary: 's',
        tasks: [
          task('a'),
          task('b', ['a'], { capability: 'cardiology' }),
          task('c', ['a', 'b'], { role: 'qa_engineer', capability: 'code_review' }),
        ],
      }),
    ).toEqual([]);
  });

  it('checks the real catalog vocabulary through validateOutput', () => {
    const plan = {
      summary: 's',
      tasks: [task('a', [], { capability: 'cardiology' }), task('b', ['a'], { role: 'qa_engineer' })],
    };
    expect(validateOutput('plan', plan)).toEqual({ valid: true, errors: [] });
    expect(
      validateOutput('plan', { ...plan, tasks: [task('a', [], { role: 'astrologer' })] }).errors.map(formatIssue),
    ).toEqual(['tasks[0].role: unknown role "astrologer"']);
  });

  it('lists every problem at once, each with its path', () => {
    const output = {
      tasks: [
        task('a', ['zzz'], { role: 'wizard' }),
        { id: 'a', title: '', description: 'x', depends_on: 'b' },
        task('c', ['c'], { capability: 'alchemy' }),
      ],
    };
    expect(messages(output)).toEqual([
      'summary: is required',
      'tasks[0].role: unknown role "wizard"',
      'tasks[1].title: must not be empty',
      'tasks[1]: needs a role or a capability to route it',
      'tasks[1].depends_on: must be an array (got "b")',
      'tasks[1].id: duplicate task id "a" (also tasks[0])',
      'tasks[2].capability: unknown capability "alchemy"',
      'tasks[0].depends_on[0]: unknown task id "zzz"',
      'tasks[2].depends_on[0]: task "c" depends on itself',
    ]);
  });

  it('rejects non-objects and empty plans', () => {
    expect(messages('plan')).toEqual(['a plan output must be a JSON object (got "plan")']);
    expect(messages({ summary: 's', tasks: [] })).toEqual(['tasks: must have at least 1 item(s) (got 0)']);
  });

  it('names the cycle', () => {
    expect(messages({ summary: 's', tasks: [task('a', ['c']), task('b', ['a']), task('c', ['b'])] })).toEqual([
      'tasks: dependency cycle: a -> c -> b -> a',
    ]);
  });

  // Random DAG: each node may only depend on nodes with a lower index, so it can never cycle.
  const dag = fc
    .integer({ min: 1, max: 25 })
    .chain((n) =>
      fc
        .tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => `n${j}`))))
        .map((deps) => deps.map((d, i) => task(`n${i}`, d))),
    );

  it('accepts every random DAG (in any task order)', () => {
    fc.assert(
      fc.property(dag, fc.func(fc.integer()), (tasks, key) => {
        const shuffled = [...tasks].sort((x, y) => key(x.id) - key(y.id));
        expect(messages({ summary: 's', tasks: shuffled })).toEqual([]);
      }),
    );
  });

  it('rejects every random DAG once a back edge closes a cycle', () => {
    fc.assert(
      fc.property(
        dag.filter((t) => t.length >= 2),
        fc.nat(),
        fc.nat(),
        (tasks, x, y) => {
          // Pick i < j and add an edge i -> (path to) j: make i depend on j, and j on i directly.
          const i = x % (tasks.length - 1);
          const j = i + 1 + (y % (tasks.length - 1 - i));
          tasks[j].depends_on = [...new Set([...tasks[j].depends_on, `n${i}`])];
          tasks[i].depends_on = [...tasks[i].depends_on, `n${j}`];
          const errors = messages({ summary: 's', tasks });
          expect(errors).toHaveLength(1);
          expect(errors[0]).toMatch(/^tasks: dependency cycle: /);
        },
      ),
    );
  });

  it('finds a cycle that really is one', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.subarray(['a', 'b', 'c', 'd', 'e'])),
        (graph) => {
          const edges = new Map(Object.entries(graph));
          const cycle = findCycle(edges);
          if (cycle === undefined) return;
          expect(cycle[0]).toBe(cycle[cycle.length - 1]);
          for (let k = 0; k < cycle.length - 1; k++) expect(edges.get(cycle[k])).toContain(cycle[k + 1]);
        },
      ),
    );
  });

  it('handles a long chain without overflowing the stack', () => {
    const tasks = Array.from({ length: 20_000 }, (_, i) => task(`n${i}`, i === 0 ? [] : [`n${i - 1}`]));
    expect(messages({ summary: 's', tasks })).toEqual([]);
  });
});
