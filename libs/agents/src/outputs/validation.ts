/** One problem found in a model output, located by a JSON path such as `tasks[2].depends_on[0]`. */
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

/**
 * Collects every issue instead of stopping at the first, so a failed task lists all of them
 * (a model that gets one round of feedback should get all of it).
 */
export class IssueCollector {
  readonly issues: ValidationIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** The root must be an object; returns it or records why not. */
  root(value: unknown, kind: string): JsonObject | undefined {
    if (isRecord(value)) return value;
    this.add('', `a ${kind} output must be a JSON object (got ${describeValue(value)})`);
    return undefined;
  }

  string(
    obj: JsonObject,
    key: string,
    path: string,
    opts: { optional?: boolean; minLength?: number } = {},
  ): string | undefined {
    const at = joinPath(path, key);
    const value = obj[key];
    if (value === undefined || value === null) {
      if (!opts.optional) this.add(at, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.add(at, `must be a string (got ${describeValue(value)})`);
      return undefined;
    }
    const min = opts.minLength ?? 1;
    if (value.trim().length < min) {
      this.add(at, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(
    obj: JsonObject,
    key: string,
    path: string,
    allowed: readonly T[],
    opts: { optional?: boolean } = {},
  ): T | undefined {
    const at = joinPath(path, key);
    const value = obj[key];
    if (value === undefined || value === null) {
      if (!opts.optional) this.add(at, `is required (one of ${allowed.join(', ')})`);
      return undefined;
    }
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.add(at, `must be one of ${allowed.join(', ')} (got ${describeValue(value)})`);
      return undefined;
    }
    return value as T;
  }

  integer(
    obj: JsonObject,
    key: string,
    path: string,
    min: number,
    max: number,
    opts: { optional?: boolean } = {},
  ): number | undefined {
    const at = joinPath(path, key);
    const value = obj[key];
    if (value === undefined || value === null) {
      if (!opts.optional) this.add(at, 'is required');
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(at, `must be an integer between ${min} and ${max} (got ${describeValue(value)})`);
      return undefined;
    }
    return value;
  }

  number(obj: JsonObject, key: string, path: string, min: number, max: number): number | undefined {
    const at = joinPath(path, key);
    const value = obj[key];
    if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
      this.add(
        at,
        value === undefined
          ? 'is required'
          : `must be a number between ${min} and ${max} (got ${describeValue(value)})`,
      );
      return undefined;
    }
    return value;
  }

  /** An array of at least `minItems`; returns the elements (of any type) for the caller to check. */
  array(
    obj: JsonObject,
    key: string,
    path: string,
    opts: { minItems?: number; maxItems?: number; optional?: boolean } = {},
  ): unknown[] | undefined {
    const at = joinPath(path, key);
    const value = obj[key];
    if (value === undefined || value === null) {
      if (!opts.optional) this.add(at, 'is required');
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.add(at, `must be an array (got ${describeValue(value)})`);
      return undefined;
    }
    const { minItems = 0, maxItems } = opts;
    if (value.length < minItems || (maxItems !== undefined && value.length > maxItems)) {
      const range =
        maxItems === undefined
          ? `at least ${minItems}`
          : minItems === maxItems
            ? `exactly ${minItems}`
            : `${minItems}–${maxItems}`;
      this.add(at, `must have ${range} item(s) (got ${value.length})`);
    }
    return value as unknown[];
  }

  /** Each element must be an object; calls `each` with the ones that are. */
  objects(
    items: unknown[] | undefined,
    path: string,
    each: (item: JsonObject, itemPath: string, index: number) => void,
  ): void {
    items?.forEach((item, index) => {
      const itemPath = joinPath(path, index);
      if (isRecord(item)) each(item, itemPath, index);
      else this.add(itemPath, `must be an object (got ${describeValue(item)})`);
    });
  }

  /** Each element must be a non-empty string; returns those that are. */
  strings(items: unknown[] | undefined, path: string): string[] {
    const out: string[] = [];
    items?.forEach((item, index) => {
      if (typeof item === 'string' && item.trim() !== '') out.push(item);
      else this.add(joinPath(path, index), `must be a non-empty string (got ${describeValue(item)})`);
    });
    return out;
  }
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
