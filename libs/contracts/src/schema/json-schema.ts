/** A JSON Schema (draft 2020-12 / ajv 8) as plain data: the one declaration of a contract's structure. */
export type JsonSchema = Record<string, unknown>;

/** "Not blank" as the services have always meant it: at least `min` characters between the first and last non-space. */
export function nonBlankPattern(min = 1): string {
  // No `u` flag (ajv `unicodeRegExp: false`): lengths count UTF-16 units, as `String.prototype.trim().length` does.
  return min <= 1 ? '\\S' : `\\S[\\s\\S]{${min - 2},}\\S`;
}

/** The `min` of a pattern `nonBlankPattern` built (for the message). */
export function nonBlankMin(pattern: unknown): number | undefined {
  if (pattern === '\\S') return 1;
  const match = typeof pattern === 'string' ? /^\\S\[\\s\\S\]\{(\d+),\}\\S$/.exec(pattern) : null;
  return match ? Number(match[1]) + 2 : undefined;
}
