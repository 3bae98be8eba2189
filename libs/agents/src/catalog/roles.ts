/** Roles the registry stores and the orchestrator routes by (snake_case, as in the seed's `backend_dev`). */
export const AGENT_ROLES = [
  'project_manager',
  'backend_dev',
  'frontend_dev',
  'mobile_dev',
  'data_engineer',
  'security_engineer',
  'ai_engineer',
  'devops_engineer',
  'qa_engineer',
  'medical_expert',
] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export function isAgentRole(value: unknown): value is AgentRole {
  return typeof value === 'string' && (AGENT_ROLES as readonly string[]).includes(value);
}
