import { FieldError } from '../errors/validation-errors';

/** Nesting accepted in any validated value (bodies, query, params, bus payloads) unless a caller says otherwise. */
export const DEFAULT_MAX_INPUT_DEPTH = 64;

/**
 * Text PostgreSQL cannot store: NUL (text/jsonb reject \u0000) and lone UTF-16 surrogates (not encodable
 * as UTF-8). Refused at the edge so a client's bad byte is its 400, not the store's 500/503.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasUnstorableText(text: string): boolean {
  return UNSTORABLE_TEXT.test(text);
}

function describeText(text: string): string {
  return text.includes('\u0000')
    ? 'must not contain NUL (\\u0000) characters'
    : 'must be valid Unicode text (it contains an unpaired UTF-16 surrogate)';
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * The first problem of an already-parsed value that no DTO decorator catches: nesting deeper than
 * `maxDepth` or text PostgreSQL cannot store (in a value or a key). Walks with an explicit stack, so a
 * hostile depth cannot overflow it. `root` names the value itself (`body`, `query`, `payload`); fields
 * are named by their path below it (`input.items[2].title`), as class-validator names them.
 */
export function findInputProblem(value: unknown, root: string, maxDepth = DEFAULT_MAX_INPUT_DEPTH): FieldError | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (hasUnstorableText(v)) {
        const field = path || root;
        return { field, message: `${field} ${describeText(v)}` };
      }
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) {
      const field = path || root;
      return { field, message: `${field} is nested deeper than ${maxDepth} levels` };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i] as unknown, path: child(path, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      if (hasUnstorableText(key)) {
        const field = path || root;
        return { field, message: `${field} has a key that ${describeText(key)}` };
      }
      stack.push({ value: (v as Record<string, unknown>)[key], path: child(path, key), depth: depth + 1 });
    }
  }
  return null;
}
