/**
 * Plain predicates for the hot messages, each at least as strict as the class-validator rules of
 * its class (a property test holds them to that). A validation pipe that finds a static
 * `fastCheck` on a class accepts a value that passes it without running class-validator; anything
 * else still goes through class-validator, which names every bad field. They never decide that a
 * value is invalid, only that it is certainly valid.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
// A narrow form of ISO 8601 (what toISOString() and the agents write): date, time, optional
// fraction, Z or an offset.
const ISO_INSTANT =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
export const isIsoInstant = (v: unknown): v is string => typeof v === 'string' && ISO_INSTANT.test(v);
export const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
export const isStringMax = (v: unknown, max: number, min = 0): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;
export const matches = (v: unknown, pattern: RegExp): v is string => typeof v === 'string' && pattern.test(v);

/** Every own key is one of `allowed` (the pipe forbids unknown properties). */
export function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

/** An optional property: absent, or present and passing. (class-validator's IsOptional also lets null through; the fast path leaves null to it.) */
export const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);
