/** Which app an AuthModule serves (audit rows name it). */
export interface AuthModuleOptions {
  service: 'registry' | 'orchestrator' | 'agent-host';
}
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/** Routes every app serves outside the feature controllers; public unless AUTH_METRICS=scope. */
export const INFRA_PUBLIC_PATHS = ['/health', '/health/ready', '/metrics'] as const;
