import { compileOutputSchema, RuleIssue } from './compiled-validator';
import { MCQ_OPTION_KEYS, REVIEW_VERDICTS } from './output-kinds';
import { FULL_CONSULTATION_SCHEMA, FULL_OUTPUT_SCHEMAS } from './output-schemas';
import { describeValue, isRecord, JsonObject, joinPath, ValidationIssue } from '@app/contracts';

/*
 * Each kind: its schema compiled once, plus the rules JSON Schema can not say. The rules look only at values
 * whose structure is valid (the schema reports the rest), and run even when the structure is not, so a model
 * given one round of feedback gets all of it.
 */

const nonBlank = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

const includes = <T extends string>(values: readonly T[], value: unknown): value is T =>
  (values as readonly unknown[]).includes(value);

/** The object elements of `obj[key]` with their paths, when it is an array. */
function records(obj: unknown, key: string): [JsonObject, string, number][] {
  const items = isRecord(obj) ? obj[key] : undefined;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item, index) => (isRecord(item) ? [[item, joinPath(key, index), index]] : []));
}

const checkDesignDoc = compileOutputSchema('design_doc', FULL_OUTPUT_SCHEMAS.design_doc);
export function validateDesignDoc(output: unknown): ValidationIssue[] {
  const issues: RuleIssue[] = [];
  const names = new Set<string>();
  for (const [component, path] of records(output, 'components')) {
    const name = component.name;
    if (!nonBlank(name)) continue;
    if (names.has(name.toLowerCase()))
      issues.push({ path: joinPath(path, 'name'), message: `duplicate component "${name}"`, after: path });
    names.add(name.toLowerCase());
  }
  return checkDesignDoc(output, issues);
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

const checkCodeChange = compileOutputSchema('code_change', FULL_OUTPUT_SCHEMAS.code_change);
export function validateCodeChange(output: unknown): ValidationIssue[] {
  const issues: RuleIssue[] = [];
  const seen = new Map<string, number>();
  for (const [file, path, index] of records(output, 'files')) {
    const filePath = file.path;
    if (!nonBlank(filePath)) continue;
    const at = joinPath(path, 'path');
    const reason = unsafePathReason(filePath);
    if (reason) issues.push({ path: at, message: `${reason} (got "${filePath}")`, after: path });
    const key = normalizePath(filePath);
    const first = seen.get(key);
    if (first !== undefined)
      issues.push({ path: at, message: `duplicate path "${filePath}" (also files[${first}])`, after: path });
    else seen.set(key, index);
  }
  return checkCodeChange(output, issues);
}

const checkReview = compileOutputSchema('review', FULL_OUTPUT_SCHEMAS.review);
export function validateReview(output: unknown): ValidationIssue[] {
  const issues: RuleIssue[] = [];
  const verdict = isRecord(output) ? output.verdict : undefined;
  // A verdict must agree with its findings, or downstream routing (revise loops) misbehaves.
  if (includes(REVIEW_VERDICTS, verdict)) {
    const found = records(output, 'issues').map(([issue]) => issue.severity);
    if (verdict === 'approve' && found.includes('critical'))
      issues.push({ path: 'verdict', message: 'cannot approve with a critical issue', after: '' });
    const listed = isRecord(output) ? output.issues : undefined;
    if (verdict !== 'approve' && Array.isArray(listed) && listed.length === 0)
      issues.push({ path: 'issues', message: `a "${verdict}" verdict must list at least one issue`, after: '' });
  }
  return checkReview(output, issues);
}

const checkTestPlan = compileOutputSchema('test_plan', FULL_OUTPUT_SCHEMAS.test_plan);
export function validateTestPlan(output: unknown): ValidationIssue[] {
  const issues: RuleIssue[] = [];
  const ids = new Set<string>();
  for (const [testCase, path] of records(output, 'test_cases')) {
    const id = testCase.id;
    if (!nonBlank(id)) continue;
    if (ids.has(id)) issues.push({ path: joinPath(path, 'id'), message: `duplicate test case id "${id}"` });
    ids.add(id);
  }
  return checkTestPlan(output, issues);
}

const checkDeploymentPlan = compileOutputSchema('deployment_plan', FULL_OUTPUT_SCHEMAS.deployment_plan);
export function validateDeploymentPlan(output: unknown): ValidationIssue[] {
  const issues: RuleIssue[] = [];
  for (const key of ['steps', 'rollback']) {
    for (const [step, path, index] of records(output, key)) {
      const order = step.order;
      const numbered = typeof order === 'number' && Number.isInteger(order) && order >= 1 && order <= 10_000;
      if (numbered && order !== index + 1)
        issues.push({
          path: joinPath(path, 'order'),
          message: `must be ${index + 1} (steps are numbered 1..n in order)`,
        });
    }
  }
  return checkDeploymentPlan(output, issues);
}

const normalizeOption = (text: string): string => text.trim().toLowerCase().replace(/\s+/g, ' ');

const checkMcqItem = compileOutputSchema('mcq_item', FULL_OUTPUT_SCHEMAS.mcq_item);
export function validateMcqItem(output: unknown): ValidationIssue[] {
  const issues: RuleIssue[] = [];
  const keys = new Map<string, number>();
  const texts = new Map<string, number>();
  for (const [option, path, index] of records(output, 'options')) {
    const { key, text } = option;
    if (includes(MCQ_OPTION_KEYS, key)) {
      const first = keys.get(key);
      if (first !== undefined)
        issues.push({
          path: joinPath(path, 'key'),
          message: `duplicate option key "${key}" (also options[${first}])`,
          after: path,
        });
      else keys.set(key, index);
    }
    if (nonBlank(text)) {
      const norm = normalizeOption(text);
      const first = texts.get(norm);
      if (first !== undefined)
        issues.push({
          path: joinPath(path, 'text'),
          message: `duplicate option text (same as options[${first}])`,
          after: path,
        });
      else texts.set(norm, index);
    }
  }
  // Exactly one correct key, among the options (these say more than "must be one of A, …, E").
  const wrong = (message: string) => issues.push({ path: 'correct_key', message, replaces: true });
  const correct = isRecord(output) ? output.correct_key : undefined;
  if (!isRecord(output)) {
    // the schema names the root
  } else if (Array.isArray(correct)) wrong(`must be exactly one key, not a list (got ${correct.length})`);
  else if (!nonBlank(correct)) wrong(`is required (got ${describeValue(correct)})`);
  else if (keys.size > 0 && !keys.has(correct))
    wrong(`"${correct}" is not one of the option keys (${[...keys.keys()].join(', ')})`);
  return checkMcqItem(output, issues);
}

const checkConsultation = compileOutputSchema('consultation', FULL_CONSULTATION_SCHEMA);
export function validateConsultation(output: unknown): ValidationIssue[] {
  return checkConsultation(output, []);
}
