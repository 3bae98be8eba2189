export { AGENT_ID_MAX, AGENT_ID_PATTERN } from '@app/contracts';
/** Roles are snake_case identifiers (backend_dev, ai_engineer), at most 50 characters. */
export const ROLE_PATTERN = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
export const ROLE_MAX = 50;
export const CAPABILITY_MAX = 100;
export const MAX_TASKS_LIMIT = 1000;
