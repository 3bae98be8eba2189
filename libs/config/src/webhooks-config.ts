import { bool, EnvOf, EnvRules, int, text } from './env-schema';

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

export const WEBHOOKS_ENV = {
  WEBHOOK_RETRY_FOR_SECONDS: int('A delivery that keeps failing is retried this long, then marked dead.', {
    minimum: 1,
    maximum: 30 * 86_400,
    default: 86_400,
  }),
  WEBHOOK_RETRY_BASE_MS: int('Delay before the first retry; doubles per attempt (with jitter).', {
    minimum: 10,
    maximum: 3_600_000,
    default: 1000,
  }),
  WEBHOOK_RETRY_MAX_DELAY_SECONDS: int('The longest wait between two attempts.', {
    minimum: 1,
    maximum: 86_400,
    default: 3600,
  }),
  WEBHOOK_TIMEOUT_MS: int('Time limit of one delivery request.', { minimum: 100, maximum: 120_000, default: 10_000 }),
  WEBHOOK_POLL_MS: int('How often each replica looks for due deliveries.', {
    minimum: 10,
    maximum: 60_000,
    default: 1000,
  }),
  WEBHOOK_BATCH: int('Deliveries one replica has in flight at most.', { minimum: 1, maximum: 500, default: 20 }),
  WEBHOOK_ALLOWED_HOSTS: text('When set, targets must be one of these comma-separated host names.'),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool('Allow loopback, private and link-local target addresses.', false),
  WEBHOOK_ALLOW_HTTP: bool('Allow http:// targets (default: everywhere but NODE_ENV=production).'),
} as const;

export function webhooksConfig(env: EnvOf<typeof WEBHOOKS_ENV>, rules: EnvRules, nodeEnv: string): WebhooksConfig {
  const hosts = env.WEBHOOK_ALLOWED_HOSTS?.split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const bad = (hosts ?? []).filter((h) => !HOST.test(h));
  if (bad.length > 0)
    rules.fail(`WEBHOOK_ALLOWED_HOSTS must be comma-separated host names (got "${bad.join('", "')}")`);
  return {
    retryForSeconds: env.WEBHOOK_RETRY_FOR_SECONDS,
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    retryMaxDelaySeconds: env.WEBHOOK_RETRY_MAX_DELAY_SECONDS,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    pollMs: env.WEBHOOK_POLL_MS,
    batch: env.WEBHOOK_BATCH,
    allowedHosts: hosts && hosts.length > 0 ? hosts : undefined,
    allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    allowHttp: env.WEBHOOK_ALLOW_HTTP ?? nodeEnv !== 'production',
  };
}
