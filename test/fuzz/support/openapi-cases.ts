import fc from 'fast-check';
import { Rng } from './seed';

/* eslint-disable @typescript-eslint/no-explicit-any -- OpenAPI documents are untyped JSON here */
type Schema = Record<string, any>;
export type OpenApiDocument = {
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, Schema> };
};

/** One request of the fuzz run: raw enough to send anything (bytes, any content type). */
export interface FuzzCase {
  operation: string;
  what: string;
  method: string;
  path: string;
  contentType?: string;
  body?: string | Buffer;
  /** Names the request may legitimately be refused for (parameters and properties of the operation). */
  names: string[];
}

const LONG = 'x'.repeat(100_000);
const DEEP = '['.repeat(5000) + ']'.repeat(5000);

/** Hostile values for one field (and wrong types for its schema). */
function hostileValues(schema: Schema): Array<[string, unknown]> {
  const wrongType: unknown =
    schema.type === 'string' ? 12345 : schema.type === 'array' ? { a: 1 } : schema.type === 'object' ? 'text' : 'text';
  return [
    ['wrong type', wrongType],
    ['null', null],
    ['empty string', ''],
    ['100k string', LONG],
    ['NUL', 'a\u0000b'],
    ['lone surrogate', 'a\ud800b'],
    ['huge number', 1e308],
    ['negative', -1],
    ['beyond 2^53', 2 ** 64],
    ['fraction', 0.5],
    ['huge array', Array.from({ length: 100_000 }, () => 1)],
    ['nested 70', JSON.parse('{"a":'.repeat(70) + '1' + '}'.repeat(70))],
    ['array of arrays', [[[]]]],
    ['object with NUL key', { 'k\u0000': 1 }],
  ];
}

const ODD_SEGMENTS = [
  '%00', 'a%00b', '%ED%A0%80', '%E0%A4%A', '%zz', '..%2F..%2Fetc', 'A'.repeat(300), '-1', '0', '%20', 'DEV-001%0d%0a',
  '__proto__', 'constructor', '%F0%9F%98%80', 'null', '1e308', "'; DROP TABLE agents;--",
]; // prettier-ignore

function resolve(doc: OpenApiDocument, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 10 && s.$ref; i++) s = doc.components?.schemas?.[String(s.$ref).split('/').pop()!] ?? {};
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x: Schema) => resolve(doc, x)));
  return s;
}

/** A valid-looking value from a schema: examples first, then bounds and formats. */
export function sampleOf(doc: OpenApiDocument, raw: Schema | undefined, rng: Rng, depth = 0): unknown {
  const schema = resolve(doc, raw);
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.enum)) return rng.pick(schema.enum);
  if (schema.default !== undefined) return schema.default;
  switch (schema.type) {
    case 'string':
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (schema.format === 'date-time') return new Date(0).toISOString();
      return 'sample'.padEnd(schema.minLength ?? 0, 'x');
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return depth > 4 ? [] : [sampleOf(doc, schema.items, rng, depth + 1)];
    default: {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const [name, prop] of Object.entries<Schema>(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(name) || rng.int(0, 1) === 1)
          out[name] = sampleOf(doc, prop, rng, depth + 1);
      }
      return out;
    }
  }
}

/** What the request itself sent (query keys, top-level body keys): an error may name those too. */
function sentNames(c: FuzzCase): string[] {
  const query = c.path.includes('?') ? [...new URLSearchParams(c.path.split('?')[1]).keys()] : [];
  let keys: string[] = [];
  try {
    const parsed: unknown = JSON.parse(String(c.body ?? ''));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) keys = Object.keys(parsed);
  } catch {
    // not JSON: only the request parts can be named
  }
  return [...query, ...keys];
}

function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => params[name] ?? 'x');
}

/**
 * Every operation of an OpenAPI document, each with a valid-looking request and the hostile variants of
 * issue 12: wrong types, missing and extra fields, empty/100k strings, out-of-range numbers, deep nesting,
 * huge arrays, __proto__/constructor keys, NUL and invalid UTF-8, odd path parameters, malformed JSON, wrong
 * content types, oversized bodies; plus `rounds` of random values. New routes are fuzzed without new code.
 */
export function casesFor(doc: OpenApiDocument, rng: Rng, rounds: number, bodyLimit: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries<any>(operations)) {
      const operation = `${method.toUpperCase()} ${path}`;
      const parameters: Schema[] = op.parameters ?? [];
      const pathParams = parameters.filter((p) => p.in === 'path');
      const queryParams = parameters.filter((p) => p.in === 'query');
      const bodySchema = resolve(doc, op.requestBody?.content?.['application/json']?.schema);
      const properties = Object.keys(bodySchema.properties ?? {});
      const names = [
        'body',
        'path',
        'query',
        'headers',
        'content-type',
        'request',
        ...parameters.map((p) => p.name),
        ...properties,
      ];
      const validParams = Object.fromEntries(pathParams.map((p) => [p.name, String(sampleOf(doc, p.schema, rng))]));
      const validPath = fillPath(path, validParams);
      const validBody = op.requestBody ? sampleOf(doc, bodySchema, rng) : undefined;
      const add = (what: string, c: Partial<FuzzCase>) => {
        const full: FuzzCase = { operation, what, method: method.toUpperCase(), path: validPath, names, ...c };
        full.names = [...names, ...sentNames(full)];
        cases.push(full);
      };
      const json = (value: unknown) => ({ contentType: 'application/json', body: JSON.stringify(value) });

      add('valid-looking', validBody === undefined ? {} : json(validBody));
      for (const p of pathParams) {
        for (const odd of ODD_SEGMENTS)
          add(`path ${p.name}=${odd.slice(0, 20)}`, { path: fillPath(path, { ...validParams, [p.name]: odd }) });
      }
      for (const q of [...queryParams, { name: 'unknown_param' }]) {
        for (const odd of ['%00', '%ED%A0%80', 'A'.repeat(5000), '-1', '1e308', 'x&x=y', '%ff']) {
          add(`query ${q.name}=${odd.slice(0, 20)}`, { path: `${validPath}?${q.name}=${odd}` });
        }
      }
      if (!['post', 'put', 'patch'].includes(method)) continue;
      const base = (validBody ?? {}) as Record<string, unknown>;
      for (const prop of properties) {
        for (const [what, value] of hostileValues(resolve(doc, bodySchema.properties[prop]))) {
          add(`body.${prop} ${what}`, json({ ...base, [prop]: value }));
        }
        if ((bodySchema.required ?? []).includes(prop)) {
          const { [prop]: _gone, ...missing } = base;
          add(`body.${prop} missing`, json(missing));
        }
      }
      const baseText = JSON.stringify(base);
      const spliced = (extra: string) => ({
        contentType: 'application/json',
        body: `{${extra}${baseText.length > 2 ? `,${baseText.slice(1)}` : '}'}`,
      });
      add('extra field', json({ ...base, not_a_field: 1 }));
      add('__proto__ key', spliced('"__proto__":{"polluted":true}'));
      add('constructor.prototype key', spliced('"constructor":{"prototype":{"polluted":true}}'));
      add('escaped __proto__ key', spliced('"\\u005f_proto__":{"polluted":true}'));
      for (const [what, body] of [
        ['array body', '[]'],
        ['string body', '"text"'],
        ['number body', '42'],
        ['null body', 'null'],
        ['empty body', ''],
        ['malformed JSON', '{"a":'],
        ['trailing garbage', `${baseText}xyz`],
        ['nested 5000', DEEP],
        ['huge array body', `[${'1,'.repeat(100_000)}1]`],
      ] as const)
        add(what, { contentType: 'application/json', body });
      add('invalid UTF-8', {
        contentType: 'application/json',
        body: Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}')]),
      });
      add('oversized body', { contentType: 'application/json', body: `{"pad":"${'x'.repeat(bodyLimit + 10)}"}` });
      for (const contentType of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
      ]) {
        add(`content-type ${contentType}`, { contentType, body: baseText });
      }
      add('no content-type', { body: baseText });
      for (let round = 0; round < rounds; round++) {
        const prop = properties.length > 0 ? rng.pick(properties) : 'random';
        const value = rng.draw(fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.string({ unit: 'binary', maxLength: 200 })));
        add(`random body.${prop} (round ${round})`, json({ ...base, [prop]: value }));
        const raw = rng.draw(fc.string({ unit: 'binary', maxLength: 300 }));
        add(`random raw body (round ${round})`, { contentType: 'application/json', body: raw });
      }
    }
  }
  return cases;
}
