import { Condition, PATH_RE, replaceTemplatePaths } from '@app/contracts';

export function isPath(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('$.');
}

export function parsePath(path: string): (string | number)[] {
  if (!PATH_RE.test(path)) throw new Error(`invalid path "${path}"`);
  const parts: (string | number)[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) parts.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return parts;
}

export function resolvePath(scope: unknown, path: string): unknown {
  let value: unknown = scope;
  for (const part of parsePath(path)) {
    if (value === null || value === undefined) return undefined;
    if (typeof part === 'number') {
      if (!Array.isArray(value)) return undefined;
      value = value[part];
    } else {
      if (typeof value !== 'object' || Array.isArray(value)) return undefined;
      value = (value as Record<string, unknown>)[part];
    }
  }
  return value;
}

/**
 * Evaluates a mapping: "$." strings are read from the scope, objects and arrays recursively,
 * `{"$literal": x}` is x as written; object keys whose value resolves to undefined are left out.
 */
export function evaluate(mapping: unknown, scope: unknown): unknown {
  if (isPath(mapping)) return resolvePath(scope, mapping);
  if (Array.isArray(mapping)) return mapping.map((m) => evaluate(m, scope) ?? null);
  if (mapping !== null && typeof mapping === 'object') {
    const obj = mapping as Record<string, unknown>;
    if ('$literal' in obj && Object.keys(obj).length === 1) return obj.$literal;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const v = evaluate(value, scope);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  return mapping;
}

/** "Draft MCQ on {{ $.item.title }}": each {{path}} replaced by the value (JSON for non-strings). */
export function render(template: string, scope: unknown): string {
  return replaceTemplatePaths(template, (path) => {
    const v = resolvePath(scope, path);
    if (v === undefined || v === null) return '';
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

export function matches(condition: Condition, scope: unknown): boolean {
  const value = resolvePath(scope, condition.path);
  if (condition.exists !== undefined && (value !== undefined && value !== null) !== condition.exists) return false;
  if ('equals' in condition && !deepEqual(value, condition.equals)) return false;
  if ('not_equals' in condition && deepEqual(value, condition.not_equals)) return false;
  if (condition.in !== undefined && !condition.in.some((c) => deepEqual(value, c))) return false;
  return true;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
