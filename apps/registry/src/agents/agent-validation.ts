/** The seed's agent id shape (DEV-001, PM-001), at most 20 characters (the column width). */
export const AGENT_ID_PATTERN = /^[A-Z][A-Z0-9]{0,15}-[0-9]{3}$/;
export const AGENT_ID_MAX = 20;
/** Roles are snake_case identifiers (backend_dev, ai_engineer), at most 50 characters. */
export const ROLE_PATTERN = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
export const ROLE_MAX = 50;
export const CAPABILITY_MAX = 100;
export const MAX_TASKS_LIMIT = 1000;
