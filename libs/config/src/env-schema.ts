/**
 * The JSON Schema dialect the environment is declared in (docs/decisions/0165): one flat object whose properties are
 * the variables, each a string in the environment, typed here and coerced by the validator (env-validator.ts).
 *
 * - `integer` / `number`: `minimum` and `maximum` always given (the message names both);
 * - `boolean`: the text `true` or `false`;
 * - `string` with `enum`, `pattern` (+ `x-expected`, the wording of "must be …"), `minLength`, or `format: "url"`
 *   with `x-protocols` (the URL's scheme must be one of them);
 * - `x-secret`: a password or key: its value is never put in a message;
 * - `default`: the value when the variable is unset or blank. A default computed from other variables
 *   (`REGISTRY_URL` from `REGISTRY_PORT`) is not a schema default: the description says it, the config builder
 *   computes it.
 * - `description`: what the variable means (README's tables say the same; a spec checks every variable is there).
 */
interface VarBase {
  description: string;
  /** A password or key: never echoed in a message. */
  'x-secret'?: boolean;
  /** What a valid value is, for the message `NAME must be <x-expected> (got "…")`. */
  'x-expected'?: string;
}

export interface IntegerVar extends VarBase {
  type: 'integer';
  minimum: number;
  maximum: number;
  default?: number;
}

export interface NumberVar extends VarBase {
  type: 'number';
  minimum: number;
  maximum: number;
  default?: number;
}

export interface BooleanVar extends VarBase {
  type: 'boolean';
  default?: boolean;
}

export interface EnumVar<T extends string = string> extends VarBase {
  type: 'string';
  enum: readonly T[];
  default?: T;
}

export interface StringVar extends VarBase {
  type: 'string';
  pattern?: string;
  minLength?: number;
  format?: 'url';
  'x-protocols'?: readonly string[];
  default?: string;
}

export type EnvVar = IntegerVar | NumberVar | BooleanVar | EnumVar | StringVar;
export type EnvProperties = Readonly<Record<string, EnvVar>>;

/** The validated environment's type, derived from its schema: a variable with a default is always there. */
type ValueOf<V> = V extends { enum: readonly (infer T)[] }
  ? T
  : V extends { type: 'integer' | 'number' }
    ? number
    : V extends { type: 'boolean' }
      ? boolean
      : string;
type Defaulted<P> = { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P];
export type EnvOf<P> = { readonly [K in Defaulted<P>]: ValueOf<P[K]> } & {
  readonly [K in Exclude<keyof P, Defaulted<P>>]?: ValueOf<P[K]>;
};

type WithDefault<D> = [D] extends [undefined] ? unknown : { default: NonNullable<D> };

/** An integer from `minimum` to `maximum` (written as decimal digits). */
export function int<D extends number | undefined = undefined>(
  description: string,
  bounds: { minimum: number; maximum: number; default?: D },
): IntegerVar & WithDefault<D> {
  return { type: 'integer', ...bounds, description } as IntegerVar & WithDefault<D>;
}

/** A number from `minimum` to `maximum`. */
export function num<D extends number | undefined = undefined>(
  description: string,
  bounds: { minimum: number; maximum: number; default?: D },
): NumberVar & WithDefault<D> {
  return { type: 'number', ...bounds, description } as NumberVar & WithDefault<D>;
}

/** `true` or `false`. */
export function bool<D extends boolean | undefined = undefined>(
  description: string,
  defaultValue?: D,
): BooleanVar & WithDefault<D> {
  return withDefault({ type: 'boolean', description }, defaultValue) as BooleanVar & WithDefault<D>;
}

/** One of `values`. */
export function oneOf<const T extends readonly string[], D extends T[number] | undefined = undefined>(
  description: string,
  values: T,
  defaultValue?: D,
): EnumVar<T[number]> & WithDefault<D> {
  return withDefault({ type: 'string', enum: values, description }, defaultValue) as EnumVar<T[number]> &
    WithDefault<D>;
}

/** Any text, or text matching `pattern` (`expected` says what that is, in words). */
export function text<D extends string | undefined = undefined>(
  description: string,
  rule: { default?: D; pattern?: string; expected?: string; minLength?: number; secret?: boolean } = {},
): StringVar & WithDefault<D> {
  const { default: value, pattern, expected, minLength, secret } = rule;
  const schema: StringVar = { type: 'string', description };
  if (pattern !== undefined) schema.pattern = pattern;
  if (minLength !== undefined) schema.minLength = minLength;
  if (expected !== undefined) schema['x-expected'] = expected;
  if (secret) schema['x-secret'] = true;
  return withDefault(schema, value) as StringVar & WithDefault<D>;
}

/** A password or key: any text, never echoed. */
export const secret = (description: string): StringVar => text(description, { secret: true });

/** A URL whose scheme is one of `protocols` (`'http:'`, …). */
export function url<D extends string | undefined = undefined>(
  description: string,
  protocols: readonly string[],
  defaultValue?: D,
): StringVar & WithDefault<D> {
  return withDefault(
    { type: 'string', format: 'url', 'x-protocols': protocols, description },
    defaultValue,
  ) as StringVar & WithDefault<D>;
}

function withDefault<S extends EnvVar>(schema: S, value: unknown): S {
  return value === undefined ? schema : { ...schema, default: value };
}

/** 1-64 letters, digits, `:`, `_`, `.`, `-`: names that go into Redis keys and consumer names. */
export const NAME_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$';
export const NAME_EXPECTED = "1-64 characters of letters, digits, ':', '_', '.', '-'";

/** Where a config builder reports what the schema can not say, and asks whether a variable was given. */
export interface EnvRules {
  fail(problem: string): void;
  /** The variable was set (not blank) in the environment. */
  isSet(name: string): boolean;
}
