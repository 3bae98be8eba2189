const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * True when JSON text nests objects/arrays deeper than `maxDepth`, found by one linear scan of the raw
 * text before any parser or validator recurses into it (a 5,000-deep body used to blow the stack).
 * Brackets inside strings do not count. Malformed text is left for the parser to reject.
 */
export function exceedsJsonDepth(text: string | Buffer, maxDepth: number): boolean {
  const length = text.length;
  if (length <= maxDepth) return false; // n bytes cannot nest deeper than n levels
  const codeAt = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = codeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/**
 * Keys that change an object's prototype when a parsed value is copied by assignment (Object.assign,
 * class-transformer): `__proto__`, and `constructor` holding a `prototype` — what Fastify's parser refuses.
 */
function isPoisonKey(key: string, value: unknown): boolean {
  if (key === '__proto__') return true;
  return key === 'constructor' && value !== null && typeof value === 'object' && Object.hasOwn(value, 'prototype');
}

/**
 * The first `__proto__` (or `constructor.prototype`) key anywhere in a parsed JSON value, as a path, or null.
 * Cheap on ordinary text: the walk runs only when the raw text could spell such a key (directly or with
 * \u escapes). Iterative, so depth cannot overflow it (depth is bounded before parsing anyway).
 */
export function findPoisonKey(raw: string, parsed: unknown): string | null {
  if (!raw.includes('proto') && !raw.includes('constructor') && !raw.includes('\\u')) return null;
  const stack: Array<{ value: unknown; path: string }> = [{ value: parsed, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      const child = (value as Record<string, unknown>)[key];
      if (isPoisonKey(key, child)) return at;
      stack.push({ value: child, path: at });
    }
  }
  return null;
}

/** JSON.parse for untrusted text: depth checked before parsing, prototype-poisoning keys refused after. */
export function parseUntrustedJson(
  raw: string,
  maxDepth: number,
): { ok: true; value: unknown } | { ok: false; malformed: boolean; error: string } {
  if (exceedsJsonDepth(raw, maxDepth))
    return { ok: false, malformed: false, error: `JSON is nested deeper than ${maxDepth} levels` };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { ok: false, malformed: true, error: `not JSON: ${(err as Error).message}` };
  }
  const poisoned = findPoisonKey(raw, value);
  if (poisoned)
    return { ok: false, malformed: false, error: `${poisoned}: the key is not allowed (prototype pollution)` };
  return { ok: true, value };
}
