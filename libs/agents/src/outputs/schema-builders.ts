import { JsonSchema, nonBlankPattern } from '@app/contracts';

export type { JsonSchema };

/*
 * Builders for the full output schemas. Each states a rule once: the host validates all of it, and
 * `toProviderSchema` strips what structured outputs do not accept (see provider-schema.ts).
 */

const described = (description?: string): JsonSchema => (description ? { description } : {});

/** A string that is not blank (at least `min` characters once trimmed). */
export const text = (description?: string, min = 1): JsonSchema => ({
  type: 'string',
  ...described(description),
  pattern: nonBlankPattern(min),
});

export const texts = (description?: string): JsonSchema => ({
  type: 'array',
  items: text(),
  ...described(description),
});

export const oneOf = (values: readonly string[], description?: string): JsonSchema => ({
  type: 'string',
  enum: [...values],
  ...described(description),
});

export const integer = (min: number, max: number, description?: string): JsonSchema => ({
  type: 'integer',
  ...described(description),
  minimum: min,
  maximum: max,
});

export const list = (items: JsonSchema, description?: string, minItems = 1, maxItems?: number): JsonSchema => ({
  type: 'array',
  items,
  minItems,
  ...(maxItems === undefined ? {} : { maxItems }),
  ...described(description),
});

/**
 * An object with the given properties, all required but `optional`. Objects stay open to properties they do not
 * name (the host has always ignored them); providers are sent them closed (`additionalProperties: false`).
 */
export function object(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return { type: 'object', properties, required: Object.keys(properties).filter((k) => !optional.includes(k)) };
}

/** An optional property a model may also send as null (the host treats null as absent). */
export function maybe(schema: JsonSchema): JsonSchema {
  const values = schema.enum as unknown[] | undefined;
  return { ...schema, ...(values ? { enum: [...values, null] } : {}), nullable: true };
}

/** Checked when present but never sent to providers (not part of the output type; kept so the host's checks hold). */
export const hostOnly = (schema: JsonSchema): JsonSchema => ({ ...schema, 'x-host-only': true });
