import {
  FILE_ACTIONS,
  ISSUE_SEVERITIES,
  MCQ_DIFFICULTIES,
  MCQ_OPTION_KEYS,
  REVIEW_VERDICTS,
  TEST_TYPES,
} from './output-kinds';
import { describeValue, IssueCollector, joinPath, ValidationIssue } from './validation';

export function validateDesignDoc(output: unknown): ValidationIssue[] {
  const c = new IssueCollector();
  const root = c.root(output, 'design_doc');
  if (!root) return c.issues;
  c.string(root, 'title', '');
  c.string(root, 'summary', '', { minLength: 20 });
  const names = new Set<string>();
  c.objects(c.array(root, 'components', '', { minItems: 1 }), 'components', (item, path) => {
    const name = c.string(item, 'name', path);
    c.string(item, 'responsibility', path);
    if (name !== undefined) {
      if (names.has(name.toLowerCase())) c.add(joinPath(path, 'name'), `duplicate component "${name}"`);
      names.add(name.toLowerCase());
    }
  });
  c.objects(c.array(root, 'interfaces', ''), 'interfaces', (item, path) => {
    c.string(item, 'name', path);
    c.string(item, 'description', path);
  });
  c.objects(c.array(root, 'decisions', '', { minItems: 1 }), 'decisions', (item, path) => {
    c.string(item, 'decision', path);
    c.string(item, 'rationale', path);
  });
  c.objects(c.array(root, 'risks', ''), 'risks', (item, path) => {
    c.string(item, 'risk', path);
    c.string(item, 'mitigation', path);
  });
  c.strings(c.array(root, 'open_questions', '', { optional: true }), 'open_questions');
  return c.issues;
}

/** Why a file path is unsafe to write under a repository root, or undefined when it is fine. */
export function unsafePathReason(path: string): string | undefined {
  if (path.includes('\0')) return 'must not contain NUL bytes';
  if (path.startsWith('/') || path.startsWith('\\')) return 'must be relative (starts with a slash)';
  if (/^[a-zA-Z]:/.test(path)) return 'must be relative (has a drive letter)';
  if (path.startsWith('~')) return 'must be relative (starts with ~)';
  const segments = path.split(/[\\/]/);
  if (segments.includes('..')) return 'must not contain ".." segments';
  if (segments.some((s) => s === '')) return 'must not contain empty segments';
  return undefined;
}

export function normalizePath(path: string): string {
  return path
    .split(/[\\/]/)
    .filter((s) => s !== '.')
    .join('/');
}

export function validateCodeChange(output: unknown): ValidationIssue[] {
  const c = new IssueCollector();
  const root = c.root(output, 'code_change');
  if (!root) return c.issues;
  c.string(root, 'summary', '');
  const seen = new Map<string, number>();
  c.objects(c.array(root, 'files', '', { minItems: 1 }), 'files', (file, path, index) => {
    const filePath = c.string(file, 'path', path);
    c.string(file, 'language', path);
    const action = c.oneOf(file, 'action', path, FILE_ACTIONS, { optional: true });
    if (action === 'delete') {
      if (file.content !== undefined && typeof file.content !== 'string')
        c.add(joinPath(path, 'content'), 'must be a string');
    } else {
      c.string(file, 'content', path);
    }
    if (filePath === undefined) return;
    const reason = unsafePathReason(filePath);
    if (reason) c.add(joinPath(path, 'path'), `${reason} (got "${filePath}")`);
    const key = normalizePath(filePath);
    if (seen.has(key)) c.add(joinPath(path, 'path'), `duplicate path "${filePath}" (also files[${seen.get(key)}])`);
    else seen.set(key, index);
  });
  c.strings(c.array(root, 'tests', '', { optional: true }), 'tests');
  return c.issues;
}

export function validateReview(output: unknown): ValidationIssue[] {
  const c = new IssueCollector();
  const root = c.root(output, 'review');
  if (!root) return c.issues;
  const verdict = c.oneOf(root, 'verdict', '', REVIEW_VERDICTS);
  c.string(root, 'summary', '');
  const issues = c.array(root, 'issues', '');
  const severities: string[] = [];
  c.objects(issues, 'issues', (issue, path) => {
    const severity = c.oneOf(issue, 'severity', path, ISSUE_SEVERITIES);
    if (severity) severities.push(severity);
    c.string(issue, 'description', path);
    c.string(issue, 'location', path, { optional: true });
    c.string(issue, 'suggestion', path, { optional: true });
  });
  // A verdict must agree with its findings, or downstream routing (revise loops) misbehaves.
  if (verdict === 'approve' && severities.includes('critical'))
    c.add('verdict', 'cannot approve with a critical issue');
  if ((verdict === 'revise' || verdict === 'reject') && issues !== undefined && issues.length === 0) {
    c.add('issues', `a "${verdict}" verdict must list at least one issue`);
  }
  return c.issues;
}

export function validateTestPlan(output: unknown): ValidationIssue[] {
  const c = new IssueCollector();
  const root = c.root(output, 'test_plan');
  if (!root) return c.issues;
  c.string(root, 'summary', '');
  c.string(root, 'scope', '');
  const ids = new Set<string>();
  c.objects(c.array(root, 'test_cases', '', { minItems: 1 }), 'test_cases', (tc, path) => {
    const id = c.string(tc, 'id', path);
    if (id !== undefined) {
      if (ids.has(id)) c.add(joinPath(path, 'id'), `duplicate test case id "${id}"`);
      ids.add(id);
    }
    c.string(tc, 'title', path);
    c.oneOf(tc, 'type', path, TEST_TYPES);
    c.strings(c.array(tc, 'steps', path, { minItems: 1 }), joinPath(path, 'steps'));
    c.string(tc, 'expected_result', path);
  });
  c.strings(c.array(root, 'risks', '', { optional: true }), 'risks');
  return c.issues;
}

function checkOrdered(c: IssueCollector, items: unknown[] | undefined, path: string, fields: string[]): void {
  c.objects(items, path, (step, stepPath, index) => {
    const order = c.integer(step, 'order', stepPath, 1, 10_000);
    if (order !== undefined && order !== index + 1)
      c.add(joinPath(stepPath, 'order'), `must be ${index + 1} (steps are numbered 1..n in order)`);
    for (const field of fields) c.string(step, field, stepPath);
    c.string(step, 'command', stepPath, { optional: true });
  });
}

export function validateDeploymentPlan(output: unknown): ValidationIssue[] {
  const c = new IssueCollector();
  const root = c.root(output, 'deployment_plan');
  if (!root) return c.issues;
  c.string(root, 'summary', '');
  c.string(root, 'environment', '');
  checkOrdered(c, c.array(root, 'steps', '', { minItems: 1 }), 'steps', ['action', 'verification']);
  checkOrdered(c, c.array(root, 'rollback', '', { minItems: 1 }), 'rollback', ['action']);
  c.strings(c.array(root, 'health_checks', '', { minItems: 1 }), 'health_checks');
  return c.issues;
}

const normalizeOption = (text: string): string => text.trim().toLowerCase().replace(/\s+/g, ' ');

export function validateMcqItem(output: unknown): ValidationIssue[] {
  const c = new IssueCollector();
  const root = c.root(output, 'mcq_item');
  if (!root) return c.issues;
  c.string(root, 'topic', '');
  c.string(root, 'stem', '', { minLength: 20 });
  const keys = new Map<string, number>();
  const texts = new Map<string, number>();
  c.objects(c.array(root, 'options', '', { minItems: 4, maxItems: 5 }), 'options', (option, path, index) => {
    const key = c.oneOf(option, 'key', path, MCQ_OPTION_KEYS);
    const text = c.string(option, 'text', path);
    if (key !== undefined) {
      if (keys.has(key)) c.add(joinPath(path, 'key'), `duplicate option key "${key}" (also options[${keys.get(key)}])`);
      else keys.set(key, index);
    }
    if (text !== undefined) {
      const norm = normalizeOption(text);
      if (texts.has(norm)) c.add(joinPath(path, 'text'), `duplicate option text (same as options[${texts.get(norm)}])`);
      else texts.set(norm, index);
    }
  });
  const correct = root.correct_key;
  if (Array.isArray(correct)) c.add('correct_key', `must be exactly one key, not a list (got ${correct.length})`);
  else if (typeof correct !== 'string' || correct.trim() === '')
    c.add('correct_key', `is required (got ${describeValue(correct)})`);
  else if (keys.size > 0 && !keys.has(correct))
    c.add('correct_key', `"${correct}" is not one of the option keys (${[...keys.keys()].join(', ')})`);
  c.string(root, 'explanation', '', { minLength: 20 });
  c.strings(c.array(root, 'references', '', { minItems: 1 }), 'references');
  c.oneOf(root, 'difficulty', '', MCQ_DIFFICULTIES);
  return c.issues;
}

export function validateConsultation(output: unknown): ValidationIssue[] {
  const c = new IssueCollector();
  const root = c.root(output, 'consultation');
  if (!root) return c.issues;
  c.string(root, 'answer', '');
  c.number(root, 'confidence', '', 0, 1);
  c.string(root, 'rationale', '');
  return c.issues;
}
