import { EnvReader } from './env-reader';

/** A2A (agent cards, the orchestrator's A2A server, push notifications): A2A_* and *_PUBLIC_URL. */
export interface A2aConfig {
  /** ORCHESTRATOR_PUBLIC_URL: the origin outside clients reach the orchestrator at (put in agent cards). */
  orchestratorPublicUrl: string;
  /** REGISTRY_PUBLIC_URL: the origin outside clients reach the registry at. */
  registryPublicUrl: string;
  /** False when the public URLs are development defaults: cards then use the origin each request came to. */
  publicUrlsSet: boolean;
  /** A2A_PUSH_SECRET: HMAC-SHA256 key that signs push-notification deliveries (unset: deliveries are unsigned). */
  pushSecret?: string;
  /** A2A_PUSH_MAX_ATTEMPTS: tries per push delivery before it is recorded as failed. */
  pushMaxAttempts: number;
  /** A2A_PUSH_TIMEOUT_MS: time limit of one push delivery request. */
  pushTimeoutMs: number;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/i;

/**
 * Public URLs default to loopback for development only: in production an unset or loopback
 * value stops start-up, so a card never advertises an address outside clients cannot reach.
 */
export function a2aConfig(
  env: EnvReader,
  nodeEnv: string,
  ports: { orchestrator: number; registry: number },
): A2aConfig {
  const publicUrl = (name: string, port: number): string => {
    const explicit = env.raw(name) !== undefined;
    const value = env.url(name, `http://127.0.0.1:${port}`, ['http:', 'https:']).replace(/\/+$/, '');
    if (nodeEnv === 'production') {
      if (!explicit) env.fail(`${name} is required when NODE_ENV=production (agent cards carry it)`);
      else if (LOOPBACK.test(new URL(value).hostname))
        env.fail(`${name} must not be a loopback address when NODE_ENV=production (got "${value}")`);
    }
    return value;
  };
  const secret = env.optionalString('A2A_PUSH_SECRET');
  if (secret !== undefined && secret.length < 16) env.fail('A2A_PUSH_SECRET must be at least 16 characters');
  return {
    orchestratorPublicUrl: publicUrl('ORCHESTRATOR_PUBLIC_URL', ports.orchestrator),
    registryPublicUrl: publicUrl('REGISTRY_PUBLIC_URL', ports.registry),
    publicUrlsSet: env.raw('ORCHESTRATOR_PUBLIC_URL') !== undefined,
    pushSecret: secret,
    pushMaxAttempts: env.int('A2A_PUSH_MAX_ATTEMPTS', 5, 1, 20),
    pushTimeoutMs: env.int('A2A_PUSH_TIMEOUT_MS', 5000, 100, 60_000),
  };
}
