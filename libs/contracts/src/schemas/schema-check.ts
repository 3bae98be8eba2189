import Ajv, { ErrorObject } from 'ajv';

/** A JSON Schema object (the declarations in this folder are `as const` literals, so their types derive from them). */
export type JsonSchemaObject = Readonly<Record<string, unknown>>;

/** One problem with one field, worded like class-validator's messages (the pipe's and the bus's error body). */
export interface SchemaIssue {
  field: string;
  message: string;
}

/**
 * A message's schema compiled once: called, it answers whether a value is valid (the hot path, no allocation);
 * `issues` names every bad field of an invalid one.
 */
export interface SchemaCheck<T> {
  (value: unknown): value is T;
  readonly schema: JsonSchemaObject;
  issues(value: unknown): SchemaIssue[];
}

/**
 * Characters as class-validator's Length/MaxLength count them (validator.js isLength): code points, a variation
 * selector after a character not counted. A submitted title the HTTP DTO accepts is then never too long on the bus.
 */
export function charLength(s: string): number {
  // One pass, no allocation (the regexes of validator.js, counted: /[^\uFE0F\uFE0E][\uFE0F\uFE0E]/g and
  // /[\uD800-\uDBFF][\uDC00-\uDFFF]/g; neither can overlap itself).
  let discounted = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c === 0xfe0e || c === 0xfe0f) && i > 0) {
      const before = s.charCodeAt(i - 1);
      if (before !== 0xfe0e && before !== 0xfe0f) discounted++;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) discounted++;
    }
  }
  return s.length - discounted;
}

// One instance for every message. `unicodeRegExp: false`: patterns are the same RegExps the code uses (no `u`).
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, unicodeRegExp: false });
ajv.addKeyword({
  keyword: 'minChars',
  type: 'string',
  schemaType: 'number',
  // Every unit charLength discounts has an undiscounted neighbour it may share with one other: length / 3 at least.
  validate: (min: number, data: string) => Math.ceil(data.length / 3) >= min || charLength(data) >= min,
});
ajv.addKeyword({
  keyword: 'maxChars',
  type: 'string',
  schemaType: 'number',
  // charLength never exceeds length: most strings are decided without counting.
  validate: (max: number, data: string) => data.length <= max || charLength(data) <= max,
});

/** Compiles `schema` once (call at module load). `T` is the type derived from it (FromSchema). */
export function compileSchema<T>(schema: JsonSchemaObject): SchemaCheck<T> {
  const validate = ajv.compile(schema);
  const check = (value: unknown): value is T => validate(value);
  const issues = (value: unknown): SchemaIssue[] =>
    validate(value) ? [] : inDocumentOrder(schema, toIssues(validate.errors ?? []));
  return Object.assign(check, { schema, issues });
}

/** The wording of a few patterns by what they mean; any other pattern is quoted as class-validator quotes it. */
const PATTERN_MEANINGS = new Map<string, string>();

/** Names what a `pattern` means in error messages (e.g. 'must be a UUID'). */
export function describePattern<P extends string>(pattern: P, meaning: string): P {
  PATTERN_MEANINGS.set(pattern, meaning);
  return pattern;
}

function toIssues(errors: readonly ErrorObject[]): SchemaIssue[] {
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const error of errors) {
    const issue = toIssue(error);
    const key = `${issue.field}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

/** Issues in the schema's property order (unknown properties after the known ones), whatever order ajv found them in. */
function inDocumentOrder(schema: JsonSchemaObject, issues: SchemaIssue[]): SchemaIssue[] {
  const keyed = issues.map((issue) => ({ issue, key: sortKey(schema, issue.field) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return keyed.map((k) => k.issue);
}

function sortKey(schema: JsonSchemaObject, field: string): number[] {
  const key: number[] = [];
  let node: JsonSchemaObject | undefined = schema;
  for (const name of field.split('.')) {
    const properties = (node?.properties ?? {}) as Record<string, JsonSchemaObject>;
    const position = Object.keys(properties).indexOf(name);
    key.push(position === -1 ? Number.MAX_SAFE_INTEGER : position);
    node = Object.prototype.hasOwnProperty.call(properties, name) ? properties[name] : undefined;
  }
  return key;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function toIssue(error: ErrorObject): SchemaIssue {
  const at = fieldOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const field = join(at, String(params.missingProperty));
      return { field, message: `${field} is required` };
    }
    case 'additionalProperties': {
      const field = join(at, String(params.additionalProperty));
      return { field, message: `${field} should not exist` };
    }
  }
  const field = at === '' ? 'value' : at;
  return { field, message: `${field} ${describe(error)}` };
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return TYPE_WORDS[String(params.type)] ?? `must be ${String(params.type)}`;
    case 'pattern':
      return (
        PATTERN_MEANINGS.get(String(params.pattern)) ?? `must match /${String(params.pattern)}/ regular expression`
      );
    case 'enum':
      return `must be one of the following values: ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'minimum':
      return `must not be less than ${String(params.limit)}`;
    case 'maximum':
      return `must not be greater than ${String(params.limit)}`;
    case 'exclusiveMinimum':
      return params.limit === 0 ? 'must be a positive number' : `must be greater than ${String(params.limit)}`;
    case 'minLength':
      return params.limit === 1
        ? 'should not be empty'
        : `must be longer than or equal to ${String(params.limit)} characters`;
    case 'maxLength':
    case 'maxChars':
      return `must be shorter than or equal to ${String(error.keyword === 'maxChars' ? error.schema : params.limit)} characters`;
    case 'minChars':
      return `must be longer than or equal to ${String(error.schema)} characters`;
    default:
      return error.message ?? 'is invalid';
  }
}

const TYPE_WORDS: Record<string, string> = {
  object: 'must be an object',
  string: 'must be a string',
  integer: 'must be an integer number',
  number: 'must be a number conforming to the specified constraints',
  boolean: 'must be a boolean value',
};

/** `/usage/input_tokens` → `usage.input_tokens` (messages have no arrays, so every segment is a property). */
function fieldOf(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

const join = (parent: string, name: string): string => (parent === '' ? name : `${parent}.${name}`);
