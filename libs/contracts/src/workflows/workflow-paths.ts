/*
 * The expression language of workflow definitions: a path into a run's scope ("$.steps.plan.output.tasks[0]")
 * and `{{ path }}` templates. Declared once: the definition schema, its rules and the orchestrator's engine read it.
 */

/** A path is "$" followed by dot-separated keys or [n] indexes, e.g. $.steps.plan.output.tasks[0].id. */
export const PATH_RE = /^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$/;

/** A path a definition names a value by: it starts with a key ("$." …), as every scope is an object. */
export const SCOPE_PATH_PATTERN = '^\\$\\.[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*|\\[\\d+\\])*$';
const SCOPE_PATH_RE = new RegExp(SCOPE_PATH_PATTERN);

/** What a definition is told when a path does not parse. */
export const PATH_MESSAGE = 'must be a path such as $.steps.plan.output.tasks';

export function isScopePath(value: string): boolean {
  return SCOPE_PATH_RE.test(value);
}

const TEMPLATE_RE = /\{\{\s*(\$[^}\s]*)\s*\}\}/g;

/** Paths inside {{ }} of a template, in order. */
export function templatePaths(template: string): string[] {
  return [...template.matchAll(TEMPLATE_RE)].map((m) => m[1]);
}

/** `template` with each {{ path }} replaced by `value(path)`. */
export function replaceTemplatePaths(template: string, value: (path: string) => string): string {
  return template.replace(TEMPLATE_RE, (_, path: string) => value(path));
}
