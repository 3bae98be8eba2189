/**
 * The one agent id shape (DEV-001, PM-001, EXT-001): at most 20 characters, the width of every agent_id column.
 * Everything that checks an agent id (DTOs, bus messages, config, ACL rules) uses these.
 */
export const AGENT_ID_PATTERN = /^[A-Z][A-Z0-9]{0,15}-[0-9]{3}$/;
export const AGENT_ID_MAX = 20;

/** An agent id or `ALL` (a broadcast's `to_agent`). */
export const AGENT_ADDRESS_PATTERN = /^(ALL|[A-Z][A-Z0-9]{0,15}-[0-9]{3})$/;

export function isAgentId(value: unknown): value is string {
  return typeof value === 'string' && AGENT_ID_PATTERN.test(value);
}
