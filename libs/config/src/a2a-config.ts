import { ConfigError } from './config.error';
import { bool, EnvOf, EnvRules, int, secret, text, url } from './env-schema';

/** A2A (agent cards, the orchestrator's A2A server, push notifications): A2A_* and *_PUBLIC_URL. */
export interface A2aConfig {
  /** ORCHESTRATOR_PUBLIC_URL: the origin outside clients reach the orchestrator at (put in agent cards). */
  orchestratorPublicUrl: string;
  /** REGISTRY_PUBLIC_URL: the origin outside clients reach the registry at. */
  registryPublicUrl: string;
  /** False when ORCHESTRATOR_PUBLIC_URL is a development default: the orchestrator's cards then use the origin each request came to. */
  publicUrlsSet: boolean;
  /** REGISTRY_PUBLIC_URL was given. */
  registryPublicUrlSet: boolean;
  /** A2A_PUSH_SECRET: HMAC-SHA256 key that signs push-notification deliveries (unset: deliveries are unsigned). */
  pushSecret?: string;
  /** A2A_PUSH_MAX_ATTEMPTS: tries per push delivery before it is recorded as failed. */
  pushMaxAttempts: number;
  /** A2A_PUSH_TIMEOUT_MS: time limit of one push delivery request. */
  pushTimeoutMs: number;
  /** Outside A2A agents registered by card URL (docs/decisions/0102). */
  remote: A2aRemoteConfig;
}

export interface A2aRemoteConfig {
  /** A2A_REMOTE_ALLOW_PRIVATE: card and interface URLs may resolve to loopback/private addresses (tests, labs). */
  allowPrivate: boolean;
  /** A2A_REMOTE_PROBE_SECONDS: how often the registry re-fetches a remote agent's card (its heartbeat). */
  probeSeconds: number;
  /** A2A_REMOTE_FETCH_TIMEOUT_MS: time limit of one card fetch. */
  fetchTimeoutMs: number;
  /** A2A_REMOTE_CARD_MAX_BYTES: a bigger card is refused. */
  cardMaxBytes: number;
  /** A2A_REMOTE_CAPABILITY_MAP: JSON object, skill id or tag → our capability (unmapped ones keep their name). */
  capabilityMap: Record<string, string>;
  /** A2A_REMOTE_DEFAULT_ROLE: role of a remote agent whose registration names none. */
  defaultRole?: string;
  /** A2A_REMOTE_MAX_TASKS: slots of a remote agent whose registration names none. */
  maxTasks: number;
  /** A2A_REMOTE_REFRESH_MS: how soon an orchestrator starts (or stops) bridging a newly (de)registered remote agent. */
  refreshMs: number;
}

const HTTP = ['http:', 'https:'];

export const A2A_ENV = {
  ORCHESTRATOR_PUBLIC_URL: url(
    'The origin outside clients reach the orchestrator at, carried by A2A cards (default http://127.0.0.1:$ORCHESTRATOR_PORT).',
    HTTP,
  ),
  REGISTRY_PUBLIC_URL: url(
    'The origin outside clients reach the registry at (default http://127.0.0.1:$REGISTRY_PORT).',
    HTTP,
  ),
  A2A_PUSH_SECRET: {
    ...secret('HMAC-SHA256 key signing A2A push deliveries (unset: unsigned).'),
    minLength: 16,
  },
  A2A_PUSH_MAX_ATTEMPTS: int('Tries per push delivery before it is recorded as failed.', {
    minimum: 1,
    maximum: 20,
    default: 5,
  }),
  A2A_PUSH_TIMEOUT_MS: int('Time limit of one push delivery request.', {
    minimum: 100,
    maximum: 60_000,
    default: 5000,
  }),
  A2A_REMOTE_ALLOW_PRIVATE: bool("Outside agents' card and interface URLs may be loopback/private addresses.", false),
  A2A_REMOTE_PROBE_SECONDS: int(
    "How often the registry re-fetches a remote agent's card (default HEARTBEAT_TTL_SECONDS/3, at most 30).",
    { minimum: 1, maximum: 86_400 },
  ),
  A2A_REMOTE_FETCH_TIMEOUT_MS: int('Time limit of one card fetch.', { minimum: 100, maximum: 60_000, default: 5000 }),
  A2A_REMOTE_CARD_MAX_BYTES: int('A bigger card is refused.', { minimum: 1024, maximum: 10_485_760, default: 262_144 }),
  A2A_REMOTE_CAPABILITY_MAP: text('JSON object: skill id or tag → our capability (unmapped ones keep their name).'),
  A2A_REMOTE_DEFAULT_ROLE: text('Role of a remote agent whose registration names none.', {
    pattern: '^[a-z][a-z0-9]*(_[a-z0-9]+)*$',
    expected: 'a snake_case role',
  }),
  A2A_REMOTE_MAX_TASKS: int('Slots of a remote agent whose registration names none.', {
    minimum: 1,
    maximum: 1000,
    default: 3,
  }),
  A2A_REMOTE_REFRESH_MS: int('How soon an orchestrator starts (or stops) bridging a (de)registered remote agent.', {
    minimum: 100,
    maximum: 600_000,
    default: 5000,
  }),
} as const;

/**
 * Public URLs default to loopback for development only; the orchestrator and the registry, which
 * serve cards, refuse to start in production without them (assertA2aPublicUrls), so a card never
 * advertises an address outside clients cannot reach by accident. Agent hosts do not need them.
 */
export function a2aConfig(
  env: EnvOf<typeof A2A_ENV>,
  rules: EnvRules,
  ports: { orchestrator: number; registry: number },
  heartbeatTtlSeconds = 90,
): A2aConfig {
  const publicUrl = (value: string | undefined, port: number): string =>
    (value ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  return {
    orchestratorPublicUrl: publicUrl(env.ORCHESTRATOR_PUBLIC_URL, ports.orchestrator),
    registryPublicUrl: publicUrl(env.REGISTRY_PUBLIC_URL, ports.registry),
    publicUrlsSet: rules.isSet('ORCHESTRATOR_PUBLIC_URL'),
    registryPublicUrlSet: rules.isSet('REGISTRY_PUBLIC_URL'),
    pushSecret: env.A2A_PUSH_SECRET,
    pushMaxAttempts: env.A2A_PUSH_MAX_ATTEMPTS,
    pushTimeoutMs: env.A2A_PUSH_TIMEOUT_MS,
    remote: {
      allowPrivate: env.A2A_REMOTE_ALLOW_PRIVATE,
      probeSeconds: env.A2A_REMOTE_PROBE_SECONDS ?? Math.max(1, Math.min(30, Math.floor(heartbeatTtlSeconds / 3))),
      fetchTimeoutMs: env.A2A_REMOTE_FETCH_TIMEOUT_MS,
      cardMaxBytes: env.A2A_REMOTE_CARD_MAX_BYTES,
      capabilityMap: capabilityMap(env.A2A_REMOTE_CAPABILITY_MAP, rules),
      defaultRole: env.A2A_REMOTE_DEFAULT_ROLE,
      maxTasks: env.A2A_REMOTE_MAX_TASKS,
      refreshMs: env.A2A_REMOTE_REFRESH_MS,
    },
  };
}

/** `{"python": "code_implementation", ...}`: keys are skill ids or tags, values our capability names. */
function capabilityMap(raw: string | undefined, rules: EnvRules): Record<string, string> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    rules.fail('A2A_REMOTE_CAPABILITY_MAP must be a JSON object of skill id or tag → capability');
    return {};
  }
  const ok =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string' && /^[a-z][a-z0-9_]{0,99}$/.test(v));
  if (!ok) {
    rules.fail('A2A_REMOTE_CAPABILITY_MAP must map strings to snake_case capability names');
    return {};
  }
  return parsed as Record<string, string>;
}

/** Start-up check of the apps that serve A2A cards: in production their public URLs must be set. */
export function assertA2aPublicUrls(
  config: { nodeEnv: string; a2a: A2aConfig },
  app: 'orchestrator' | 'registry',
): void {
  if (config.nodeEnv !== 'production') return;
  const missing = [
    !config.a2a.publicUrlsSet ? 'ORCHESTRATOR_PUBLIC_URL' : undefined,
    app === 'registry' && !config.a2a.registryPublicUrlSet ? 'REGISTRY_PUBLIC_URL' : undefined,
  ].filter((v): v is string => v !== undefined);
  if (missing.length > 0)
    throw new ConfigError(
      missing.map((name) => `${name} is required when NODE_ENV=production (A2A agent cards carry it)`),
    );
}
