import type { OutputKind } from '../output-kinds';

/** The outputs the validator specs feed in (copied from them), plus edge cases the specs do not name. */
interface SpecInput {
  id: string;
  kind: OutputKind;
  output: unknown;
}

const mcq = {
  topic: 'Heart failure',
  stem: 'A 67-year-old man with HFrEF (EF 30%) on furosemide asks which drug lowers his mortality. Which is most appropriate?',
  options: [
    { key: 'A', text: 'Sacubitril-valsartan' },
    { key: 'B', text: 'Digoxin' },
    { key: 'C', text: 'Amlodipine' },
    { key: 'D', text: 'Diltiazem' },
  ],
  correct_key: 'A',
  explanation: 'ARNI reduces mortality in HFrEF; digoxin only reduces admissions; non-dihydropyridines are harmful.',
  references: ['2022 AHA/ACC/HFSA Heart Failure Guideline'],
  difficulty: 'medium',
};
const { explanation: _explanation, ...mcqWithoutExplanation } = mcq;
const change = (paths: string[]) => ({
  summary: 's',
  files: paths.map((path) => ({ path, language: 'typescript', content: 'x' })),
});
const design = {
  title: 'T',
  summary: 'A summary that is long enough.',
  components: [{ name: 'api', responsibility: 'serves' }],
  interfaces: [],
  decisions: [{ decision: 'd', rationale: 'r' }],
  risks: [],
};
const testPlan = {
  summary: 's',
  scope: 'x',
  test_cases: [{ id: 'T1', title: 't', type: 'unit', steps: ['do'], expected_result: 'ok' }],
};
const deployment = {
  summary: 's',
  environment: 'prod',
  steps: [{ order: 1, action: 'a', verification: 'v' }],
  rollback: [{ order: 1, action: 'r' }],
  health_checks: ['GET /health'],
};
const task = (id: string, depends_on: string[] = [], extra: Record<string, unknown> = { role: 'backend_dev' }) => ({
  id,
  title: `Task ${id}`,
  description: `Do ${id}`,
  depends_on,
  ...extra,
});

const cases: [string, OutputKind, unknown][] = [
  ['mcq/valid', 'mcq_item', mcq],
  [
    'mcq/bad',
    'mcq_item',
    {
      ...mcqWithoutExplanation,
      stem: 'Too short',
      options: [
        { key: 'A', text: 'X' },
        { key: 'A', text: ' x ' },
        { key: 'Q', text: 'Y' },
      ],
      correct_key: 'D',
      references: [],
      difficulty: 'brutal',
    },
  ],
  ['mcq/list-key', 'mcq_item', { ...mcq, correct_key: ['A', 'B'] }],
  ['mcq/number-key', 'mcq_item', { ...mcq, correct_key: 1 }],
  ['mcq/blank-key', 'mcq_item', { ...mcq, correct_key: ' ' }],
  ['mcq/astral-explanation', 'mcq_item', { ...mcq, explanation: '\u{1F600}'.repeat(10) }],
  ['mcq/padded-stem', 'mcq_item', { ...mcq, stem: `   ${'s'.repeat(19)}   ` }],
  ['mcq/extra-field', 'mcq_item', { ...mcq, rationale: 'extra' }],
  ['code/relative', 'code_change', change(['src/a.ts', 'src/b/c.ts', './README.md'])],
  ...['/etc/passwd', 'C:\\windows\\x', 'src/../../x', '..\\x', 'src//x', '~/x', 'a\0b', '\\x', './'].map(
    (p, i): [string, OutputKind, unknown] => [`code/path-${i}`, 'code_change', change([p])],
  ),
  ['code/dup', 'code_change', change(['src/a.ts', './src/a.ts'])],
  ['code/missing', 'code_change', { files: [{ path: 'a.ts', action: 'rename' }] }],
  ['code/delete', 'code_change', { summary: 's', files: [{ path: 'old.ts', language: 'ts', action: 'delete' }] }],
  [
    'code/delete-empty',
    'code_change',
    { summary: 's', files: [{ path: 'o.ts', language: 'ts', action: 'delete', content: '' }] },
  ],
  [
    'code/delete-null',
    'code_change',
    { summary: 's', files: [{ path: 'o.ts', language: 'ts', action: 'delete', content: null }] },
  ],
  [
    'code/null-action',
    'code_change',
    { summary: 's', files: [{ path: 'o.ts', language: 'ts', action: null, content: 'x' }] },
  ],
  ['code/null-tests', 'code_change', { ...change(['a.ts']), tests: null }],
  ['review/approve', 'review', { verdict: 'approve', summary: 'ok', issues: [] }],
  [
    'review/revise',
    'review',
    {
      verdict: 'revise',
      summary: 'fix',
      issues: [{ severity: 'major', description: 'ambiguous stem', location: 'stem' }],
    },
  ],
  ['review/unknown', 'review', { verdict: 'maybe', summary: 's', issues: [{ severity: 'huge', description: 'x' }] }],
  [
    'review/critical',
    'review',
    { verdict: 'approve', summary: 's', issues: [{ severity: 'critical', description: 'w' }] },
  ],
  ['review/reject-empty', 'review', { verdict: 'reject', summary: 's', issues: [] }],
  [
    'review/null-location',
    'review',
    { verdict: 'revise', summary: 's', issues: [{ severity: 'minor', description: 'd', location: null }] },
  ],
  ['design/valid', 'design_doc', design],
  [
    'design/bad',
    'design_doc',
    {
      ...design,
      components: [
        { name: 'api', responsibility: 'x' },
        { name: 'API', responsibility: 'y' },
      ],
      decisions: [{ decision: 'd' }],
    },
  ],
  ['test-plan/valid', 'test_plan', testPlan],
  [
    'test-plan/bad',
    'test_plan',
    {
      summary: 's',
      scope: 'x',
      test_cases: [
        { id: 'T1', title: 't', type: 'vibes', steps: [], expected_result: 'ok' },
        { id: 'T1', title: 't', type: 'e2e', steps: ['a'], expected_result: 'b' },
      ],
    },
  ],
  ['deployment/valid', 'deployment_plan', deployment],
  [
    'deployment/bad',
    'deployment_plan',
    { ...deployment, steps: [{ order: 2, action: 'a', verification: 'v' }], rollback: [], health_checks: [''] },
  ],
  [
    'deployment/rollback-command',
    'deployment_plan',
    { ...deployment, rollback: [{ order: 1, action: 'r', command: 5 }] },
  ],
  [
    'deployment/rollback-command-ok',
    'deployment_plan',
    { ...deployment, rollback: [{ order: 1, action: 'r', command: 'c' }] },
  ],
  [
    'deployment/float-order',
    'deployment_plan',
    { ...deployment, steps: [{ order: 1.0, action: 'a', verification: 'v' }] },
  ],
  [
    'plan/dag',
    'plan',
    {
      summary: 's',
      tasks: [
        task('a'),
        task('b', ['a'], { capability: 'cardiology' }),
        task('c', ['a', 'b'], { role: 'qa_engineer', capability: 'code_review' }),
      ],
    },
  ],
  ['plan/unknown-role', 'plan', { summary: 's', tasks: [task('a', [], { role: 'astrologer' })] }],
  [
    'plan/every-problem',
    'plan',
    {
      tasks: [
        task('a', ['zzz'], { role: 'wizard' }),
        { id: 'a', title: '', description: 'x', depends_on: 'b' },
        task('c', ['c'], { capability: 'alchemy' }),
      ],
    },
  ],
  ['plan/string', 'plan', 'plan'],
  ['plan/empty', 'plan', { summary: 's', tasks: [] }],
  ['plan/cycle', 'plan', { summary: 's', tasks: [task('a', ['c']), task('b', ['a']), task('c', ['b'])] }],
  ['plan/null-role', 'plan', { summary: 's', tasks: [task('a', [], { role: null, capability: 'cardiology' })] }],
  ['plan/only-nulls', 'plan', { summary: 's', tasks: [task('a', [], { role: null, capability: null })] }],
  ['plan/empty-role', 'plan', { summary: 's', tasks: [task('a', [], { role: '' })] }],
  ['plan/null-topic', 'plan', { summary: 's', tasks: [task('a', [], { role: 'backend_dev', topic: null })] }],
];

export const SPEC_INPUTS: readonly SpecInput[] = cases.map(([id, kind, output]) => ({
  id: `spec/${id}`,
  kind,
  output,
}));
