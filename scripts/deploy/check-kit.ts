/** Small shared pieces of the deployment checks: result lines, Helm's values merge. */

export interface Check {
  name: string;
  problems: string[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Helm's `-f` semantics: maps merge key by key, lists and scalars are replaced. */
export function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Prints `PASS name` or `FAIL name` with the problems; returns the exit code. */
export function report(checks: Check[]): number {
  let failed = 0;
  for (const check of checks) {
    if (check.problems.length === 0) {
      process.stdout.write(`PASS ${check.name}\n`);
    } else {
      failed += 1;
      process.stdout.write(`FAIL ${check.name}\n${check.problems.map((p) => `     - ${p}`).join('\n')}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}
