import { EnvReader } from './env-reader';

/** Webhook subscriptions and their delivery worker (WEBHOOK_*; docs/decisions/0150). */
export interface WebhooksConfig {
  /** WEBHOOK_RETRY_FOR_SECONDS: a delivery that keeps failing is retried this long, then marked dead. */
  retryForSeconds: number;
  /** WEBHOOK_RETRY_BASE_MS: delay before the first retry; doubles per attempt (with jitter). */
  retryBaseMs: number;
  /** WEBHOOK_RETRY_MAX_DELAY_SECONDS: the longest wait between two attempts. */
  retryMaxDelaySeconds: number;
  /** WEBHOOK_TIMEOUT_MS: time limit of one delivery request. */
  timeoutMs: number;
  /** WEBHOOK_POLL_MS: how often each replica looks for due deliveries. */
  pollMs: number;
  /** WEBHOOK_BATCH: deliveries one replica has in flight at most. */
  batch: number;
  /** WEBHOOK_ALLOWED_HOSTS: when set, targets must be one of these host names (lower case). */
  allowedHosts?: string[];
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: allow loopback, private and link-local addresses (tests, closed networks). */
  allowPrivateTargets: boolean;
  /** WEBHOOK_ALLOW_HTTP: allow http:// targets (default: everywhere but NODE_ENV=production). */
  allowHttp: boolean;
}

const HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function webhooksConfig(env: EnvReader, nodeEnv: string): WebhooksConfig {
  const hosts = env
    .optionalString('WEBHOOK_ALLOWED_HOSTS')
    ?.split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const bad = (hosts ?? []).filter((h) => !HOST.test(h));
  if (bad.length > 0) env.fail(`WEBHOOK_ALLOWED_HOSTS must be comma-separated host names (got "${bad.join('", "')}")`);
  return {
    retryForSeconds: env.int('WEBHOOK_RETRY_FOR_SECONDS', 86_400, 1, 30 * 86_400),
    retryBaseMs: env.int('WEBHOOK_RETRY_BASE_MS', 1000, 10, 3_600_000),
    retryMaxDelaySeconds: env.int('WEBHOOK_RETRY_MAX_DELAY_SECONDS', 3600, 1, 86_400),
    timeoutMs: env.int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    pollMs: env.int('WEBHOOK_POLL_MS', 1000, 10, 60_000),
    batch: env.int('WEBHOOK_BATCH', 20, 1, 500),
    allowedHosts: hosts && hosts.length > 0 ? hosts : undefined,
    allowPrivateTargets: bool(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
    allowHttp: bool(env, 'WEBHOOK_ALLOW_HTTP', nodeEnv !== 'production'),
  };
}

function bool(env: EnvReader, name: string, fallback: boolean): boolean {
  return env.oneOf(name, ['true', 'false'] as const, fallback ? 'true' : 'false') === 'true';
}
