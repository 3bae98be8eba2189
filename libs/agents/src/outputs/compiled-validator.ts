import Ajv, { ErrorObject } from 'ajv';
import { describeValue, JsonSchema, nonBlankMin, pointerPath, ValidationIssue } from '@app/contracts';

/**
 * An issue a kind's rules found (what JSON Schema can not say). `after` places it in the list after every
 * issue under that path, where the hand-written validators reported it; `replaces` drops the schema's issue
 * at the same path in its favour (it says more).
 */
export interface RuleIssue extends ValidationIssue {
  after?: string;
  replaces?: boolean;
}

/** Checks an output's structure against its kind's schema, then merges in the issues its rules found. */
export type CompiledOutputCheck = (output: unknown, ruleIssues: readonly RuleIssue[]) => ValidationIssue[];

// One instance for every kind; `unicodeRegExp: false` so patterns count UTF-16 units like `trim().length`.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, unicodeRegExp: false });
ajv.addKeyword({ keyword: 'x-host-only', schemaType: 'boolean' });

/** Compiles `schema` once (call at module load); `kind` names the output in the root's message. */
export function compileOutputSchema(kind: string, schema: JsonSchema): CompiledOutputCheck {
  const validate = ajv.compile(schema);
  return (output, ruleIssues) => {
    const valid = validate(output);
    if (valid && ruleIssues.length === 0) return [];
    const structural = valid ? [] : schemaIssues(kind, output, validate.errors ?? []);
    return ordered(schema, structural, ruleIssues);
  };
}

/** One issue per path (the first ajv reports), worded as the hand-written validators worded it. */
function schemaIssues(kind: string, output: unknown, errors: readonly ErrorObject[]): ValidationIssue[] {
  const byPath = new Map<string, string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue; // its branch's own errors say what is wrong
    const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : null;
    const path = pointerPath(output, error.instancePath, missing ?? undefined);
    if (byPath.has(path)) continue;
    byPath.set(
      path,
      missing === null
        ? describeError(kind, error, path)
        : requiredMessage(propertySchema(error.parentSchema, missing)),
    );
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
}

function requiredMessage(property: JsonSchema | undefined): string {
  const values = property?.enum as unknown[] | undefined;
  return values ? `is required (one of ${listed(values)})` : 'is required';
}

const propertySchema = (parent: unknown, name: string): JsonSchema | undefined =>
  ((parent as JsonSchema | undefined)?.properties as Record<string, JsonSchema> | undefined)?.[name];

const listed = (values: readonly unknown[]): string =>
  values
    .filter((v) => v !== null)
    .map(String)
    .join(', ');

function describeError(kind: string, error: ErrorObject, path: string): string {
  const schema = (error.parentSchema ?? {}) as JsonSchema;
  const data: unknown = error.data;
  const got = `(got ${describeValue(data)})`;
  const isItem = path.endsWith(']');
  if (path === '') return `a ${kind} output must be a JSON object ${got}`;
  // Null in a property the kind requires reads as missing, as it always has.
  if (data === null && error.keyword === 'type' && !isItem) return requiredMessage(schema);
  if (schema.enum) return `must be one of ${listed(schema.enum as unknown[])} ${got}`;
  switch (error.keyword) {
    case 'minItems':
    case 'maxItems':
      return `must have ${itemRange(schema)} item(s) (got ${(data as unknown[]).length})`;
    case 'pattern': {
      if (isItem) return `must be a non-empty string ${got}`;
      const min = nonBlankMin(schema.pattern) ?? 1;
      return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
    }
  }
  switch (schema.type) {
    case 'integer':
      return `must be an integer between ${String(schema.minimum)} and ${String(schema.maximum)} ${got}`;
    case 'number':
      return `must be a number between ${String(schema.minimum)} and ${String(schema.maximum)} ${got}`;
    case 'string':
      return isItem ? `must be a non-empty string ${got}` : `must be a string ${got}`;
    case 'array':
      return `must be an array ${got}`;
    case 'object':
      return `must be an object ${got}`;
    default:
      return error.message ?? 'is invalid';
  }
}

function itemRange(schema: JsonSchema): string {
  const min = (schema.minItems as number | undefined) ?? 0;
  const max = schema.maxItems as number | undefined;
  if (max === undefined) return `at least ${min}`;
  return min === max ? `exactly ${min}` : `${min}–${max}`;
}

/**
 * Issues in document order (the schema's property order, then array index; a node before what is under it), as
 * the hand-written validators listed them, so the first issue a model is told about stays the same.
 */
function ordered(schema: JsonSchema, structural: ValidationIssue[], rules: readonly RuleIssue[]): ValidationIssue[] {
  const replaced = new Set(rules.filter((r) => r.replaces).map((r) => r.path));
  const keyed = [
    ...structural.filter((i) => !replaced.has(i.path)).map((issue) => ({ issue, key: sortKey(schema, issue.path) })),
    ...rules.map(({ path, message, after }) => ({
      issue: { path, message },
      key: after === undefined ? sortKey(schema, path) : [...sortKey(schema, after), Infinity],
    })),
  ];
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return keyed.map((k) => k.issue);
}

function sortKey(schema: JsonSchema, path: string): number[] {
  const key: number[] = [];
  let node: JsonSchema | undefined = schema;
  for (const [, name, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (index !== undefined) {
      key.push(Number(index));
      node = node?.items as JsonSchema | undefined;
    } else {
      const properties = (node?.properties ?? {}) as Record<string, JsonSchema>;
      const position = Object.keys(properties).indexOf(name);
      key.push(position === -1 ? Number.MAX_SAFE_INTEGER : position);
      node = properties[name];
    }
  }
  return key;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
