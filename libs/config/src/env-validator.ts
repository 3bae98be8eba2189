import Ajv, { ErrorObject } from 'ajv';
import type { EnvProperties, EnvVar } from './env-schema';
import { redactUrl } from './redact-url';

type Source = Record<string, string | undefined>;

/** A validated environment: the declared variables, typed and defaulted; a bad one reads as unset. */
export interface EnvCheckResult {
  values: Record<string, unknown>;
  /** One message per bad variable, in declaration order, each naming it. */
  problems: string[];
  /** The declared variables that were set (not blank). */
  given: ReadonlySet<string>;
}

export type CompiledEnvCheck = (source: Source) => EnvCheckResult;

const parsedUrl = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};

// One instance for every slice. `unicodeRegExp: false` so patterns count UTF-16 units, as JavaScript strings do.
const ajv = new Ajv({
  allErrors: true,
  coerceTypes: true,
  useDefaults: true,
  verbose: true,
  strict: true,
  unicodeRegExp: false,
});
ajv.addFormat('url', { type: 'string', validate: (value: string) => parsedUrl(value) !== undefined });
ajv.addKeyword({
  keyword: 'x-protocols',
  type: 'string',
  schemaType: 'array',
  // An unparsable URL is the format's problem; only a parsed one has a scheme to check.
  validate: (protocols: readonly string[], value: string) => {
    const parsed = parsedUrl(value);
    return parsed === undefined || protocols.includes(parsed.protocol);
  },
});
ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });

/**
 * Integers are written in decimal digits. ajv's coercion takes anything `Number()` reads (`1e3`, `0x10`, `+5`,
 * `1.0`), which the environment has always refused, so an integer's text is checked before coercion.
 */
const INTEGER_TEXT = /^-?\d+$/;

/**
 * Compiles the schema of one slice of the environment once (call it once per slice); the returned check reads only
 * the declared variables (trimmed; blank counts as unset), coerces and defaults them, and names every bad one.
 */
export function compileEnvSchema(properties: EnvProperties): CompiledEnvCheck {
  const validate = ajv.compile({ type: 'object', properties });
  const names = Object.keys(properties);
  return (source) => {
    const raw: Record<string, string> = {};
    for (const name of names) {
      const value = source[name]?.trim();
      if (value !== undefined && value !== '') raw[name] = value;
    }
    const values: Record<string, unknown> = { ...raw };
    const problems = new Map<string, string>();
    for (const name of names) {
      const schema = properties[name];
      if (schema.type === 'integer' && name in raw && !INTEGER_TEXT.test(raw[name])) {
        problems.set(name, notAnInteger(name, schema.minimum, schema.maximum, raw[name]));
        delete values[name]; // the schema then gives the default
      }
    }
    if (!validate(values)) {
      for (const error of validate.errors ?? []) {
        const name = variableOf(error);
        if (name === undefined || problems.has(name) || !(name in properties)) continue;
        problems.set(name, describe(name, properties[name], raw[name] ?? '', error));
      }
    }
    // ajv checks minimum/maximum of finite numbers only: `Infinity`, or digits past 1e308, would pass.
    for (const name of names) {
      const value = values[name];
      if (typeof value === 'number' && !Number.isFinite(value) && !problems.has(name))
        problems.set(name, describe(name, properties[name], raw[name] ?? '', { keyword: 'maximum', data: value }));
    }
    // A bad value reads as unset, so what is derived from it does not report the same mistake again.
    for (const name of problems.keys()) {
      const fallback = properties[name].default;
      if (fallback === undefined) delete values[name];
      else values[name] = fallback;
    }
    return {
      values,
      problems: names.filter((name) => problems.has(name)).map((name) => problems.get(name) as string),
      given: new Set(Object.keys(raw)),
    };
  };
}

/** The schema defaults of `properties`: the environment every variable of them unset would give. */
export function envDefaults(properties: EnvProperties): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties))
    if (schema.default !== undefined) defaults[name] = schema.default;
  return defaults;
}

function variableOf(error: ErrorObject): string | undefined {
  const match = /^\/([^/]+)$/.exec(error.instancePath);
  return match?.[1].replace(/~1/g, '/').replace(/~0/g, '~');
}

const notAnInteger = (name: string, min: number, max: number, raw: string): string =>
  `${name} must be an integer between ${min} and ${max} (got "${raw}")`;

/** The message naming `name` and what it must be; a secret's value is never in it, a URL's password neither. */
function describe(
  name: string,
  schema: EnvVar,
  raw: string,
  error: Pick<ErrorObject, 'keyword' | 'data'> & Partial<ErrorObject>,
): string {
  const got = schema['x-secret'] ? '' : ` (got "${raw}")`;
  const expected = schema['x-expected'];
  if (expected !== undefined) return `${name} must be ${expected}${got}`;
  switch (schema.type) {
    case 'integer':
      return error.keyword === 'type'
        ? notAnInteger(name, schema.minimum, schema.maximum, raw)
        : `${name} must be between ${schema.minimum} and ${schema.maximum} (got ${String(error.data)})`;
    case 'number':
      return `${name} must be a number from ${schema.minimum} to ${schema.maximum}${got}`;
    case 'boolean':
      return `${name} must be one of true, false${got}`;
    case 'string':
      break;
  }
  if ('enum' in schema) return `${name} must be one of ${schema.enum.join(', ')}${got}`;
  if (error.keyword === 'format') return `${name} must be a URL (got "${redactUrl(raw)}")`;
  if (error.keyword === 'x-protocols') {
    const protocols = (schema as { 'x-protocols': readonly string[] })['x-protocols'];
    return `${name} must use ${protocols.join(' or ')} (got "${parsedUrl(raw)?.protocol ?? ''}")`;
  }
  if (error.keyword === 'minLength') return `${name} must be at least ${String(error.schema)} characters`;
  return `${name} ${error.message ?? 'is invalid'}${got}`;
}
