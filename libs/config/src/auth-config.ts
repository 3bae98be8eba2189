import { ConfigError } from './config.error';
import { EnvReader } from './env-reader';

export const AUTH_MODES = ['on', 'disabled'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** OIDC bearer tokens from an existing identity provider (all three of issuer, audience, JWKS URL). */
export interface OidcConfig {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** Claim holding the scopes: a space-separated string (`scope`) or an array (`scp`, `permissions`). */
  scopesClaim: string;
}

/** Who may call what (AUTH_*, OIDC_*); read by every app. */
export interface AuthConfig {
  /** AUTH_MODE: `on` (default) or `disabled` (development/test only; the app then listens on loopback). */
  mode: AuthMode;
  /** AUTH_KEYS_FILE: JSON `{"keys":[{name,key,scopes?,agent_ids?}]}` upserted (hashed) at start-up. */
  keysFile?: string;
  oidc?: OidcConfig;
  /** AGENT_HOST_API_KEY: the key an agent host presents to the registry and signs bus messages with. */
  agentHostApiKey?: string;
  /** REGISTRY_API_KEY: the orchestrator's credential at the registry (registry:read, for discovery). */
  registryApiKey?: string;
  /** AUTH_METRICS: `public` (default) or `scope` (metrics:read, for clusters without a NetworkPolicy). */
  metrics: 'public' | 'scope';
  /** AUTH_DOCS_JSON: serve the OpenAPI JSON at /docs/json (default true; turn off in production if wanted). */
  docsJson: boolean;
  /** AUTH_RATE_LIMIT_PER_MINUTE: requests per credential per minute across replicas (0 = no limit). */
  rateLimitPerMinute: number;
  /** AUTH_HEARTBEAT_RATE_LIMIT_PER_MINUTE: heartbeats per credential per minute (their own budget). */
  heartbeatRateLimitPerMinute: number;
  /** AUTH_SSE_MAX_PER_CREDENTIAL / AUTH_SSE_MAX_PER_PROCESS: open event streams at once. */
  sseMaxPerCredential: number;
  sseMaxPerProcess: number;
  /** AUTH_STREAM_TICKET_TTL_SECONDS: lifetime of an SSE stream ticket. */
  streamTicketTtlSeconds: number;
  /** AUDIT_RETENTION_DAYS: audit rows older than this are deleted (0 = kept forever). */
  auditRetentionDays: number;
}

export function authConfig(env: EnvReader, nodeEnv: string): AuthConfig {
  const mode = env.oneOf('AUTH_MODE', AUTH_MODES, 'on');
  const issuer = env.optionalString('OIDC_ISSUER');
  const audience = env.optionalString('OIDC_AUDIENCE');
  const jwks = env.optionalString('OIDC_JWKS_URL');
  let oidc: OidcConfig | undefined;
  if (issuer !== undefined || audience !== undefined || jwks !== undefined) {
    if (issuer === undefined || audience === undefined || jwks === undefined) {
      env.fail('OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL must be set together');
    } else {
      oidc = {
        issuer,
        audience,
        jwksUrl: env.url('OIDC_JWKS_URL', 'https://invalid', ['https:', 'http:']),
        scopesClaim: env.string('OIDC_SCOPES_CLAIM', 'scope'),
      };
    }
  }
  const keysFile = env.optionalString('AUTH_KEYS_FILE');
  if (mode === 'disabled' && nodeEnv === 'production') {
    env.fail('AUTH_MODE=disabled is refused when NODE_ENV=production');
  }
  return {
    mode,
    keysFile,
    oidc,
    agentHostApiKey: env.optionalString('AGENT_HOST_API_KEY'),
    registryApiKey: env.optionalString('REGISTRY_API_KEY'),
    metrics: env.oneOf('AUTH_METRICS', ['public', 'scope'] as const, 'public'),
    docsJson: env.oneOf('AUTH_DOCS_JSON', ['true', 'false'] as const, 'true') === 'true',
    rateLimitPerMinute: env.int('AUTH_RATE_LIMIT_PER_MINUTE', 6000, 0, 10_000_000),
    heartbeatRateLimitPerMinute: env.int('AUTH_HEARTBEAT_RATE_LIMIT_PER_MINUTE', 6000, 0, 10_000_000),
    sseMaxPerCredential: env.int('AUTH_SSE_MAX_PER_CREDENTIAL', 50, 1, 100_000),
    sseMaxPerProcess: env.int('AUTH_SSE_MAX_PER_PROCESS', 2000, 1, 1_000_000),
    streamTicketTtlSeconds: env.int('AUTH_STREAM_TICKET_TTL_SECONDS', 60, 5, 3600),
    auditRetentionDays: env.int('AUDIT_RETENTION_DAYS', 365, 0, 36_500),
  };
}

/**
 * The apps that accept credentials (registry, orchestrator) refuse NODE_ENV=production without a way to
 * know any: a keys file or an OIDC provider. Agent hosts prove themselves with AGENT_HOST_API_KEY and a
 * migration run serves nobody, so they are not held to it.
 */
export function assertAuthConfigured(config: { nodeEnv: string; auth: AuthConfig }): void {
  const { auth } = config;
  if (config.nodeEnv === 'production' && auth.mode === 'on' && auth.keysFile === undefined && auth.oidc === undefined)
    throw new ConfigError([
      'NODE_ENV=production needs an auth configuration: AUTH_KEYS_FILE and/or OIDC_ISSUER/OIDC_AUDIENCE/OIDC_JWKS_URL',
    ]);
}
