import { AGENT_ADDRESS_PATTERN, AGENT_ID_PATTERN } from '../agent-id';
import { describePattern } from './schema-check';

/*
 * The fields every message shares, as JSON Schema fragments (`as const`, so the types derived from the
 * schemas that use them are exact).
 */

/** What class-validator's IsUUID() takes: versions 1–8 with the RFC variant, nil and max, any case. */
export const UUID_PATTERN = describePattern(
  '^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$',
  'must be a UUID',
);

/**
 * An instant in the narrow form of ISO 8601 every process writes (toISOString(), or an offset): date, time,
 * optional fraction, Z or an offset. Narrower than class-validator's IsDateString (no date-only, no week dates).
 */
export const INSTANT_PATTERN = describePattern(
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)$',
  'must be a valid ISO 8601 date string',
);

/** The greatest finite number: JSON's 1e400 parses to Infinity, which no message may carry. */
export const FINITE_MAX = Number.MAX_VALUE;

export const uuid = { type: 'string', pattern: UUID_PATTERN } as const;
export const instant = { type: 'string', pattern: INSTANT_PATTERN } as const;
export const agentId = { type: 'string', pattern: AGENT_ID_PATTERN.source } as const;
export const agentAddress = { type: 'string', pattern: AGENT_ADDRESS_PATTERN.source } as const;
export const attempt = { type: 'integer', minimum: 1 } as const;
export const anyObject = { type: 'object' } as const;
