import { ConfigError } from './config.error';
import { EnvReader } from './env-reader';

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

/**
 * Public URLs default to loopback for development only; the orchestrator and the registry, which
 * serve cards, refuse to start in production without them (assertA2aPublicUrls), so a card never
 * advertises an address outside clients cannot reach by accident. Agent hosts do not need them.
 */
export function a2aConfig(
  env: EnvReader,
  ports: { orchestrator: number; registry: number },
  heartbeatTtlSeconds = 90,
): A2aConfig {
  const publicUrl = (name: string, port: number): string =>
    env.url(name, `http://127.0.0.1:${port}`, ['http:', 'https:']).replace(/\/+$/, '');
  const secret = env.optionalString('A2A_PUSH_SECRET');
  if (secret !== undefined && secret.length < 16) env.fail('A2A_PUSH_SECRET must be at least 16 characters');
  return {
    orchestratorPublicUrl: publicUrl('ORCHESTRATOR_PUBLIC_URL', ports.orchestrator),
    registryPublicUrl: publicUrl('REGISTRY_PUBLIC_URL', ports.registry),
    publicUrlsSet: env.raw('ORCHESTRATOR_PUBLIC_URL') !== undefined,
    registryPublicUrlSet: env.raw('REGISTRY_PUBLIC_URL') !== undefined,
    pushSecret: secret,
    pushMaxAttempts: env.int('A2A_PUSH_MAX_ATTEMPTS', 5, 1, 20),
    pushTimeoutMs: env.int('A2A_PUSH_TIMEOUT_MS', 5000, 100, 60_000),
    remote: {
      allowPrivate: env.oneOf('A2A_REMOTE_ALLOW_PRIVATE', ['true', 'false'] as const, 'false') === 'true',
      probeSeconds: env.int(
        'A2A_REMOTE_PROBE_SECONDS',
        Math.max(1, Math.min(30, Math.floor(heartbeatTtlSeconds / 3))),
        1,
        86_400,
      ),
      fetchTimeoutMs: env.int('A2A_REMOTE_FETCH_TIMEOUT_MS', 5000, 100, 60_000),
      cardMaxBytes: env.int('A2A_REMOTE_CARD_MAX_BYTES', 262_144, 1024, 10_485_760),
      capabilityMap: capabilityMap(env),
      defaultRole: defaultRole(env),
      maxTasks: env.int('A2A_REMOTE_MAX_TASKS', 3, 1, 1000),
      refreshMs: env.int('A2A_REMOTE_REFRESH_MS', 5000, 100, 600_000),
    },
  };
}

/** `{"python": "code_implementation", ...}`: keys are skill ids or tags, values our capability names. */
function capabilityMap(env: EnvReader): Record<string, string> {
  const raw = env.optionalString('A2A_REMOTE_CAPABILITY_MAP');
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    env.fail('A2A_REMOTE_CAPABILITY_MAP must be a JSON object of skill id or tag → capability');
    return {};
  }
  const ok =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string' && /^[a-z][a-z0-9_]{0,99}$/.test(v));
  if (!ok) {
    env.fail('A2A_REMOTE_CAPABILITY_MAP must map strings to snake_case capability names');
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

function defaultRole(env: EnvReader): string | undefined {
  const role = env.optionalString('A2A_REMOTE_DEFAULT_ROLE');
  if (role !== undefined && !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(role))
    env.fail(`A2A_REMOTE_DEFAULT_ROLE must be a snake_case role (got "${role}")`);
  return role;
}
