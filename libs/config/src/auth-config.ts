import { ConfigError } from './config.error';
import { bool, EnvOf, EnvRules, int, oneOf, secret, text, url } from './env-schema';

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

export const AUTH_ENV = {
  AUTH_MODE: oneOf('`on`, or `disabled` (development/test only; the app then listens on loopback).', AUTH_MODES, 'on'),
  AUTH_KEYS_FILE: text('JSON `{"keys":[{name,key,scopes?,agent_ids?}]}` upserted (hashed) at start-up.'),
  OIDC_ISSUER: text('OIDC issuer of accepted bearer tokens (with OIDC_AUDIENCE and OIDC_JWKS_URL).'),
  OIDC_AUDIENCE: text('OIDC audience of accepted bearer tokens.'),
  OIDC_JWKS_URL: url("The OIDC provider's JWKS URL.", ['https:', 'http:']),
  OIDC_SCOPES_CLAIM: text('Claim holding the scopes: a space-separated string or an array.', { default: 'scope' }),
  AGENT_HOST_API_KEY: secret('The key an agent host presents to the registry and signs bus messages with.'),
  REGISTRY_API_KEY: secret("The orchestrator's credential at the registry (registry:read, for discovery)."),
  AUTH_METRICS: oneOf('`public`, or `scope`: /metrics needs metrics:read.', ['public', 'scope'], 'public'),
  AUTH_DOCS_JSON: bool('Serve the OpenAPI JSON at /docs/json.', true),
  AUTH_RATE_LIMIT_PER_MINUTE: int('Requests per credential per minute across replicas (0 = no limit).', {
    minimum: 0,
    maximum: 10_000_000,
    default: 6000,
  }),
  AUTH_HEARTBEAT_RATE_LIMIT_PER_MINUTE: int('Heartbeats per credential per minute (their own budget).', {
    minimum: 0,
    maximum: 10_000_000,
    default: 6000,
  }),
  AUTH_SSE_MAX_PER_CREDENTIAL: int('Open event streams of one credential at once.', {
    minimum: 1,
    maximum: 100_000,
    default: 50,
  }),
  AUTH_SSE_MAX_PER_PROCESS: int('Open event streams of one process at once.', {
    minimum: 1,
    maximum: 1_000_000,
    default: 2000,
  }),
  AUTH_STREAM_TICKET_TTL_SECONDS: int('Lifetime of an SSE stream ticket.', { minimum: 5, maximum: 3600, default: 60 }),
  AUDIT_RETENTION_DAYS: int('Audit rows older than this are deleted (0 = kept forever).', {
    minimum: 0,
    maximum: 36_500,
    default: 365,
  }),
} as const;

export function authConfig(env: EnvOf<typeof AUTH_ENV>, rules: EnvRules, nodeEnv: string): AuthConfig {
  const { OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience } = env;
  const jwks = rules.isSet('OIDC_JWKS_URL') ? (env.OIDC_JWKS_URL ?? 'https://invalid') : undefined;
  let oidc: OidcConfig | undefined;
  if (issuer !== undefined || audience !== undefined || jwks !== undefined) {
    if (issuer === undefined || audience === undefined || jwks === undefined) {
      rules.fail('OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL must be set together');
    } else {
      oidc = { issuer, audience, jwksUrl: jwks, scopesClaim: env.OIDC_SCOPES_CLAIM };
    }
  }
  if (env.AUTH_MODE === 'disabled' && nodeEnv === 'production') {
    rules.fail('AUTH_MODE=disabled is refused when NODE_ENV=production');
  }
  return {
    mode: env.AUTH_MODE,
    keysFile: env.AUTH_KEYS_FILE,
    oidc,
    agentHostApiKey: env.AGENT_HOST_API_KEY,
    registryApiKey: env.REGISTRY_API_KEY,
    metrics: env.AUTH_METRICS,
    docsJson: env.AUTH_DOCS_JSON,
    rateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE,
    heartbeatRateLimitPerMinute: env.AUTH_HEARTBEAT_RATE_LIMIT_PER_MINUTE,
    sseMaxPerCredential: env.AUTH_SSE_MAX_PER_CREDENTIAL,
    sseMaxPerProcess: env.AUTH_SSE_MAX_PER_PROCESS,
    streamTicketTtlSeconds: env.AUTH_STREAM_TICKET_TTL_SECONDS,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
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
