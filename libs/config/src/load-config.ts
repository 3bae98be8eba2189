import { AppConfig, LOG_LEVELS } from './app-config';
import { EnvReader } from './env-reader';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/expert_agents';

/** DATABASE_URL wins; otherwise libpq's PG* variables; otherwise the local default. */
function databaseUrl(env: EnvReader): string {
  const explicit = env.optionalString('DATABASE_URL');
  if (explicit !== undefined) return env.url('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:']);
  const host = env.optionalString('PGHOST');
  const user = env.optionalString('PGUSER');
  const database = env.optionalString('PGDATABASE');
  const password = env.optionalString('PGPASSWORD');
  if (host === undefined && user === undefined && database === undefined && password === undefined) {
    return DEFAULT_DATABASE_URL;
  }
  const port = env.int('PGPORT', 5432, 1, 65535);
  const url = new URL('postgres://localhost');
  url.hostname = host ?? '127.0.0.1';
  url.port = String(port);
  url.username = encodeURIComponent(user ?? 'postgres');
  if (password !== undefined) url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(database ?? 'expert_agents')}`;
  return url.toString();
}

/**
 * Validates the environment into one AppConfig. Throws ConfigError naming each bad variable;
 * callers at process start print it and exit.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const env = new EnvReader(source);
  const registryPort = env.int('REGISTRY_PORT', 5100, 1, 65535);
  const heartbeatIntervalSeconds = env.int('HEARTBEAT_INTERVAL_SECONDS', 30, 1, 3600);
  const heartbeatTtlSeconds = env.int('HEARTBEAT_TTL_SECONDS', 90, 1, 86400);
  const config: AppConfig = {
    nodeEnv: env.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development'),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    databaseUrl: databaseUrl(env),
    databasePoolSize: env.int('DATABASE_POOL_SIZE', 10, 1, 200),
    redisUrl: env.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    registryPort,
    orchestratorPort: env.int('ORCHESTRATOR_PORT', 5200, 1, 65535),
    agentHostPort: env.int('AGENT_HOST_PORT', 6000, 1, 65535),
    registryUrl: env.url('REGISTRY_URL', `http://127.0.0.1:${registryPort}`, ['http:', 'https:']),
    heartbeatIntervalSeconds,
    heartbeatTtlSeconds,
    heartbeatGraceSeconds: env.int('HEARTBEAT_GRACE_SECONDS', Math.min(15, heartbeatTtlSeconds), 0, 3600),
    livenessSweepSeconds: env.int('LIVENESS_SWEEP_SECONDS', 5, 1, 3600),
    registryRedisPrefix: env.string('REGISTRY_REDIS_PREFIX', 'registry:'),
    httpBodyLimitBytes: env.int('HTTP_BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    shutdownGraceSeconds: env.int('SHUTDOWN_GRACE_SECONDS', 25, 1, 600),
  };
  if (heartbeatTtlSeconds <= heartbeatIntervalSeconds) {
    env.fail(
      `HEARTBEAT_TTL_SECONDS (${heartbeatTtlSeconds}) must be greater than HEARTBEAT_INTERVAL_SECONDS (${heartbeatIntervalSeconds})`,
    );
  }
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(config.registryRedisPrefix)) {
    env.fail(`REGISTRY_REDIS_PREFIX must be 1-64 characters of letters, digits, ':', '_', '.', '-' (got "${config.registryRedisPrefix}")`);
  }
  env.done();
  return config;
}
