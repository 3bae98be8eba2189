/**
 * One problem found in a value checked against a contract's schema (a model output, a workflow definition …),
 * located by a JSON path such as `tasks[2].depends_on[0]` (empty for the value itself).
 */
export interface ValidationIssue {
  path: string;
  message: string;
}

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function formatIssue(issue: ValidationIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} ${value.toString()}`;
  return typeof value;
}

/**
 * The path of an ajv error's JSON pointer (`/steps/a/next`) in the form above (`steps.a.next`), plus `extra` (a
 * missing or unknown property's name). The value is walked, so a numeric key of an object stays a key and only an
 * array's index is written `[n]`.
 */
export function pointerPath(root: unknown, pointer: string, extra?: string): string {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/');
  if (extra !== undefined) segments.push(extra.replace(/~/g, '~0').replace(/\//g, '~1'));
  let path = '';
  let node: unknown = root;
  for (const raw of segments) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(segment)) {
      path = joinPath(path, Number(segment));
      node = node[Number(segment)];
    } else {
      path = joinPath(path, segment);
      node = isRecord(node) ? node[segment] : undefined;
    }
  }
  return path;
}
