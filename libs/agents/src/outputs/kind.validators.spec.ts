import fc from 'fast-check';
import {
  validateCodeChange,
  validateDeploymentPlan,
  validateDesignDoc,
  validateMcqItem,
  validateReview,
  validateTestPlan,
} from './kind.validators';
import { formatIssue, ValidationIssue } from '@app/contracts';

const msgs = (issues: ValidationIssue[]) => issues.map(formatIssue);

const mcq = () => ({
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
});

describe('mcq_item validator', () => {
  it('accepts a well-formed item', () => {
    expect(msgs(validateMcqItem(mcq()))).toEqual([]);
  });

  it('reports every problem of a bad item', () => {
    const bad = {
      ...mcq(),
      stem: 'Too short',
      options: [
        { key: 'A', text: 'X' },
        { key: 'A', text: ' x ' },
        { key: 'Q', text: 'Y' },
      ],
      correct_key: 'D',
      references: [],
      difficulty: 'brutal',
    };
    delete (bad as Partial<typeof bad>).explanation;
    expect(msgs(validateMcqItem(bad))).toEqual([
      'stem: must be at least 20 characters',
      'options: must have 4–5 item(s) (got 3)',
      'options[1].key: duplicate option key "A" (also options[0])',
      'options[1].text: duplicate option text (same as options[0])',
      'options[2].key: must be one of A, B, C, D, E (got "Q")',
      'correct_key: "D" is not one of the option keys (A)',
      'explanation: is required',
      'references: must have at least 1 item(s) (got 0)',
      'difficulty: must be one of easy, medium, hard (got "brutal")',
    ]);
  });

  it('requires exactly one correct key, not a list', () => {
    expect(msgs(validateMcqItem({ ...mcq(), correct_key: ['A', 'B'] }))).toEqual([
      'correct_key: must be exactly one key, not a list (got 2)',
    ]);
  });

  const texts = fc.uniqueArray(fc.stringMatching(/^[a-z]{3,12}$/), { minLength: 3, maxLength: 8, selector: (s) => s });

  it('accepts any 4–5 distinct options with a key among them, in any order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 5 }),
        texts.filter((t) => t.length >= 5),
        fc.nat(),
        fc.func(fc.integer()),
        (n, words, k, order) => {
          const keys = ['A', 'B', 'C', 'D', 'E'].slice(0, n);
          const options = keys
            .map((key, i) => ({ key, text: `Option ${words[i]}` }))
            .sort((x, y) => order(x.key) - order(y.key));
          expect(msgs(validateMcqItem({ ...mcq(), options, correct_key: keys[k % n] }))).toEqual([]);
        },
      ),
    );
  });

  it('rejects an option count outside 4–5 and a key that is not among the options', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }).filter((n) => n < 4 || n > 5),
        fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F'),
        (n, key) => {
          const options = Array.from({ length: n }, (_, i) => ({ key: 'ABCDEFGHI'[i], text: `Option ${i}` }));
          const errors = msgs(validateMcqItem({ ...mcq(), options, correct_key: key }));
          expect(errors).toContain(`options: must have 4–5 item(s) (got ${n})`);
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 5 }), (n) => {
        const options = ['A', 'B', 'C', 'D', 'E'].slice(0, n).map((key) => ({ key, text: `Option ${key}` }));
        const missing = n === 4 ? 'E' : 'F';
        expect(msgs(validateMcqItem({ ...mcq(), options, correct_key: missing }))).toHaveLength(1);
      }),
    );
  });
});

describe('code_change validator', () => {
  const change = (paths: string[]) => ({
    summary: 's',
    files: paths.map((path) => ({ path, language: 'typescript', content: 'x' })),
  });

  it('accepts relative paths', () => {
    expect(msgs(validateCodeChange(change(['src/a.ts', 'src/b/c.ts', './README.md'])))).toEqual([]);
  });

  it.each([
    ['/etc/passwd', 'must be relative (starts with a slash)'],
    ['C:\\windows\\x', 'must be relative (has a drive letter)'],
    ['src/../../x', 'must not contain ".." segments'],
    ['..\\x', 'must not contain ".." segments'],
    ['src//x', 'must not contain empty segments'],
    ['~/x', 'must be relative (starts with ~)'],
  ])('rejects the path %s', (path, reason) => {
    expect(msgs(validateCodeChange(change([path])))).toEqual([`files[0].path: ${reason} (got "${path}")`]);
  });

  it('rejects duplicate paths, including ./ spellings, and missing fields', () => {
    expect(msgs(validateCodeChange(change(['src/a.ts', './src/a.ts'])))).toEqual([
      'files[1].path: duplicate path "./src/a.ts" (also files[0])',
    ]);
    expect(msgs(validateCodeChange({ files: [{ path: 'a.ts', action: 'rename' }] }))).toEqual([
      'summary: is required',
      'files[0].language: is required',
      'files[0].action: must be one of create, modify, delete (got "rename")',
      'files[0].content: is required',
    ]);
    expect(
      msgs(validateCodeChange({ summary: 's', files: [{ path: 'old.ts', language: 'ts', action: 'delete' }] })),
    ).toEqual([]);
  });

  it('never accepts a path with a ".." segment', () => {
    const segment = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/).filter((s) => s !== '..');
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 4 }),
        fc.array(segment, { maxLength: 4 }),
        fc.constantFrom('/', '\\'),
        (before, after, sep) => {
          const path = [...before, '..', ...after].join(sep);
          expect(msgs(validateCodeChange(change([path]))).some((m) => m.startsWith('files[0].path:'))).toBe(true);
        },
      ),
    );
  });
});

describe('review validator', () => {
  it('accepts consistent verdicts', () => {
    expect(msgs(validateReview({ verdict: 'approve', summary: 'ok', issues: [] }))).toEqual([]);
    expect(
      msgs(
        validateReview({
          verdict: 'revise',
          summary: 'fix',
          issues: [{ severity: 'major', description: 'ambiguous stem', location: 'stem' }],
        }),
      ),
    ).toEqual([]);
  });

  it('rejects unknown verdicts and severities, and verdicts that contradict the findings', () => {
    expect(
      msgs(validateReview({ verdict: 'maybe', summary: 's', issues: [{ severity: 'huge', description: 'x' }] })),
    ).toEqual([
      'verdict: must be one of approve, revise, reject (got "maybe")',
      'issues[0].severity: must be one of critical, major, minor, info (got "huge")',
    ]);
    expect(
      msgs(
        validateReview({
          verdict: 'approve',
          summary: 's',
          issues: [{ severity: 'critical', description: 'wrong key' }],
        }),
      ),
    ).toEqual(['verdict: cannot approve with a critical issue']);
    expect(msgs(validateReview({ verdict: 'reject', summary: 's', issues: [] }))).toEqual([
      'issues: a "reject" verdict must list at least one issue',
    ]);
  });
});

describe('design_doc, test_plan and deployment_plan validators', () => {
  const design = {
    title: 'T',
    summary: 'A summary that is long enough.',
    components: [{ name: 'api', responsibility: 'serves' }],
    interfaces: [],
    decisions: [{ decision: 'd', rationale: 'r' }],
    risks: [],
  };

  it('accept complete documents', () => {
    expect(msgs(validateDesignDoc(design))).toEqual([]);
    expect(
      msgs(
        validateTestPlan({
          summary: 's',
          scope: 'x',
          test_cases: [{ id: 'T1', title: 't', type: 'unit', steps: ['do'], expected_result: 'ok' }],
        }),
      ),
    ).toEqual([]);
    expect(
      msgs(
        validateDeploymentPlan({
          summary: 's',
          environment: 'prod',
          steps: [{ order: 1, action: 'a', verification: 'v' }],
          rollback: [{ order: 1, action: 'r' }],
          health_checks: ['GET /health'],
        }),
      ),
    ).toEqual([]);
  });

  it('report every missing or inconsistent part', () => {
    expect(
      msgs(
        validateDesignDoc({
          ...design,
          components: [
            { name: 'api', responsibility: 'x' },
            { name: 'API', responsibility: 'y' },
          ],
          decisions: [{ decision: 'd' }],
        }),
      ),
    ).toEqual(['components[1].name: duplicate component "API"', 'decisions[0].rationale: is required']);
    expect(
      msgs(
        validateTestPlan({
          summary: 's',
          scope: 'x',
          test_cases: [
            { id: 'T1', title: 't', type: 'vibes', steps: [], expected_result: 'ok' },
            { id: 'T1', title: 't', type: 'e2e', steps: ['a'], expected_result: 'b' },
          ],
        }),
      ),
    ).toEqual([
      'test_cases[0].type: must be one of unit, integration, e2e, performance, security, accessibility, clinical_accuracy, manual (got "vibes")',
      'test_cases[0].steps: must have at least 1 item(s) (got 0)',
      'test_cases[1].id: duplicate test case id "T1"',
    ]);
    expect(
      msgs(
        validateDeploymentPlan({
          summary: 's',
          environment: 'prod',
          steps: [{ order: 2, action: 'a', verification: 'v' }],
          rollback: [],
          health_checks: [''],
        }),
      ),
    ).toEqual([
      'steps[0].order: must be 1 (steps are numbered 1..n in order)',
      'rollback: must have at least 1 item(s) (got 0)',
      'health_checks[0]: must be a non-empty string (got "")',
    ]);
  });
});
