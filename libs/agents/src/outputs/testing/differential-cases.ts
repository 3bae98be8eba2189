import fc from 'fast-check';
import { AGENT_CATALOG } from '../../catalog/catalog';
import { createTask } from '../../lifecycle/agent-task';
import { brokenOutput, consultationAnswer, scriptedOutput } from '../../providers/scripted-outputs';
import { OUTPUT_KINDS, OutputKind, REVIEW_VERDICTS } from '../output-kinds';
import { SPEC_INPUTS } from './differential-spec-inputs';

/** One output a validator is asked about; `id` is stable so recorded verdicts can be matched to it. */
export interface DifferentialCase {
  id: string;
  kind: OutputKind | 'consultation';
  output: unknown;
}

type Json = unknown;

// Values put in place of every node of a valid output: each type JSON has, blanks, edge strings.
const REPLACEMENTS: readonly Json[] = [
  null,
  '',
  '   ',
  'x',
  'A',
  'F',
  '\u{1F600}'.repeat(10),
  ` ${'y'.repeat(19)} `,
  'y'.repeat(19),
  '/abs',
  '../up',
  0,
  1,
  2,
  1.5,
  -1,
  10_001,
  true,
  [],
  ['x'],
  [''],
  [{}],
  {},
  { extra: 1 },
];

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Every variant of `root` with one node replaced, removed, or (for arrays) shrunk or grown. */
function* mutations(root: Json): Generator<[string, Json]> {
  const variant = (
    path: (string | number)[],
    change: (parent: Record<string | number, Json>, key: string | number) => void,
  ) => {
    const copy = clone(root) as Record<string | number, Json>;
    let parent = copy;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
    change(parent, path[path.length - 1]);
    return copy;
  };
  function* walk(node: Json, path: (string | number)[], inArray: boolean): Generator<[string, Json]> {
    const name = path.join('/');
    for (const [i, value] of REPLACEMENTS.entries()) {
      if (path.length === 0) yield [`root=${i}`, clone(value)];
      else yield [`${name}=${i}`, variant(path, (p, k) => (p[k] = clone(value)))];
    }
    if (path.length > 0 && !inArray) yield [`${name}-deleted`, variant(path, (p, k) => delete p[k])];
    if (Array.isArray(node)) {
      if (node.length > 0) {
        yield [`${name}-dup0`, variant(path, (p, k) => (p[k] as Json[]).push(clone(node[0])))];
        yield [`${name}-drop0`, variant(path, (p, k) => (p[k] as Json[]).shift())];
        yield [`${name}-reversed`, variant(path, (p, k) => (p[k] as Json[]).reverse())];
      }
      for (const [i, item] of node.entries()) yield* walk(item, [...path, i], true);
    } else if (typeof node === 'object' && node !== null) {
      if (path.length > 0)
        yield [`${name}+extra`, variant(path, (p, k) => ((p[k] as Record<string, Json>).unexpected = 'x'))];
      for (const [k, v] of Object.entries(node)) yield* walk(v, [...path, k], false);
    }
  }
  yield* walk(root, [], false);
  yield ['root+extra', { ...(root as object), unexpected: 'x' }];
}

function scriptedCases(): DifferentialCase[] {
  const cases: DifferentialCase[] = [];
  for (const agent of AGENT_CATALOG) {
    const inputs: Record<string, unknown>[] = [
      {},
      { topic: 'heart failure' },
      { topics: ['Cardiology: heart failure', 'Asthma', 'Tax law'] },
    ];
    inputs.forEach((input, i) => {
      for (const verdict of REVIEW_VERDICTS) {
        const task = createTask({
          task_id: `t-${agent.agent_id}`,
          title: `Sample task for ${agent.name}`,
          description: 'A representative brief.',
          input: { ...input, scripted: { verdict } },
          created_at: '2026-01-01T00:00:00.000Z',
        });
        const output = scriptedOutput(agent, task, { verdict });
        const id = `scripted/${agent.agent_id}/${i}/${verdict}`;
        cases.push({ id, kind: agent.output_kind, output });
        cases.push({
          id: `${id}/broken`,
          kind: agent.output_kind,
          output: brokenOutput(agent.output_kind, output as unknown as Record<string, unknown>),
        });
      }
    });
  }
  return cases;
}

function mutationCases(scripted: readonly DifferentialCase[]): DifferentialCase[] {
  const cases: DifferentialCase[] = [];
  for (const kind of OUTPUT_KINDS) {
    // One representative valid output per kind (plus a revise review, whose issues list is not empty).
    const bases = scripted.filter(
      (c) => c.kind === kind && !c.id.endsWith('/broken') && (c.id.endsWith('/approve') || kind === 'review'),
    );
    const picked = kind === 'review' ? [bases[0], bases.find((c) => c.id.endsWith('/revise'))] : [bases[0]];
    for (const base of picked) {
      if (!base) continue;
      for (const [name, output] of mutations(base.output))
        cases.push({ id: `m/${base.id.replace('scripted/', '')}/${name}`, kind, output });
    }
  }
  return cases;
}

/** Samples of the inputs the property-based specs draw (fixed seed, so the set is stable). */
function propertyCases(): DifferentialCase[] {
  const cases: DifferentialCase[] = [];
  const seed = 1016;
  const mcq = SPEC_INPUTS.find((c) => c.id === 'spec/mcq/valid')?.output as Record<string, unknown>;
  const words = fc.uniqueArray(fc.stringMatching(/^[a-z]{3,12}$/), { minLength: 5, maxLength: 8 });
  fc.sample(fc.tuple(fc.integer({ min: 0, max: 8 }), words, fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F')), {
    seed,
    numRuns: 60,
  }).forEach(([n, ws, key], i) => {
    const options = Array.from({ length: n }, (_, j) => ({ key: 'ABCDEFGHI'[j], text: `Option ${ws[j % ws.length]}` }));
    cases.push({ id: `property/mcq/${i}`, kind: 'mcq_item', output: { ...mcq, options, correct_key: key } });
  });
  const segment = fc.stringMatching(/^[a-z0-9_.~-]{1,8}$/);
  fc.sample(fc.tuple(fc.array(segment, { maxLength: 4 }), fc.constantFrom('/', '\\', '//')), {
    seed,
    numRuns: 80,
  }).forEach(([segments, sep], i) => {
    const path = segments.join(sep);
    const output = { summary: 's', files: [{ path, language: 'typescript', content: 'x' }] };
    cases.push({ id: `property/path/${i}`, kind: 'code_change', output });
  });
  fc.sample(
    fc
      .integer({ min: 1, max: 8 })
      .chain((n) =>
        fc.tuple(...Array.from({ length: n }, () => fc.subarray(Array.from({ length: n }, (_, j) => `n${j}`)))),
      ),
    { seed, numRuns: 60 },
  ).forEach((deps, i) => {
    const tasks = deps.map((d, j) => ({
      id: `n${j}`,
      title: 'T',
      description: 'D',
      role: 'backend_dev',
      depends_on: d,
    }));
    cases.push({ id: `property/plan/${i}`, kind: 'plan', output: { summary: 's', tasks } });
  });
  return cases;
}

/** Consultation answers (another agent's reply), scripted and mutated. */
function consultationCases(): DifferentialCase[] {
  const agent = AGENT_CATALOG[0];
  const answers = [undefined, 0, 1, 1.5, -0.1].map((confidence) =>
    consultationAnswer(agent, 'Is the key right?', { confidence }),
  );
  return [
    ...answers.map((output, i) => ({ id: `consultation/${i}`, kind: 'consultation' as const, output })),
    ...[...mutations(answers[0])].map(([name, output]) => ({
      id: `consultation/m/${name}`,
      kind: 'consultation' as const,
      output,
    })),
  ];
}

/** Every case, in a fixed order: the specs' inputs, property samples, scripted outputs, their mutations. */
export function differentialCases(): DifferentialCase[] {
  const scripted = scriptedCases();
  return [...SPEC_INPUTS, ...propertyCases(), ...scripted, ...mutationCases(scripted), ...consultationCases()];
}
