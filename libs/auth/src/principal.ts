/** Every scope a route can require; `*` grants all of them. */
export const SCOPES = [
  'tasks:read',
  'tasks:write',
  'workflows:run',
  'workflows:approve',
  'workflows:admin',
  'registry:read',
  'registry:admin',
  'bus:admin',
  'webhooks:admin',
  'keys:admin',
  'audit:read',
  'metrics:read',
] as const;
export type Scope = (typeof SCOPES)[number];
export const ALL_SCOPES = '*';

/** `system`: the orchestrator acting on its own (a schedule firing); never a credential. */
export type PrincipalKind = 'api_key' | 'oidc' | 'agent_host' | 'dev' | 'system';

/** Who is calling, whatever the credential was (shared contract with the console and the deployment). */
export interface Principal {
  id: string;
  kind: PrincipalKind;
  name: string;
  scopes: string[];
  /** Agent ids this principal may act as (agent-host credentials). */
  agent_ids?: string[];
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes.includes(ALL_SCOPES) || principal.scopes.includes(scope);
}

export function hasAllScopes(principal: Principal, scopes: readonly string[]): boolean {
  return scopes.every((scope) => hasScope(principal, scope));
}

/** True when the principal may act as this agent: bound to it, or a registry administrator. */
export function mayActAsAgent(principal: Principal, agentId: string): boolean {
  return (principal.agent_ids ?? []).includes(agentId) || hasScope(principal, 'registry:admin');
}

/** The principal of AUTH_MODE=disabled (development on loopback only). */
export const DEV_PRINCIPAL: Principal = { id: 'dev', kind: 'dev', name: 'development (auth disabled)', scopes: ['*'] };

/** How a principal is written in audit rows and `created_by` columns: `kind:name`. */
export function actorOf(principal: Principal | undefined): string | null {
  return principal ? `${principal.kind}:${principal.name}` : null;
}
