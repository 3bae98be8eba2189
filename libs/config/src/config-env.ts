import { A2A_ENV } from './a2a-config';
import { AppConfig, LOG_FORMATS, LOG_LEVELS } from './app-config';
import { AUTH_ENV } from './auth-config';
import { ConfigProcess, configSlice } from './config-slices';
import { CONSOLE_ENV } from './console-config';
import { DATABASE_ENV } from './database-config';
import { DISPATCH_ENV } from './dispatch-config';
import { EnvOf, EnvProperties, int, NAME_EXPECTED, NAME_PATTERN, oneOf, text, url } from './env-schema';
import { CompiledEnvCheck, compileEnvSchema, envDefaults } from './env-validator';
import { LIMITS_ENV } from './limits-config';
import { MODEL_ENV } from './model-config';
import { ORCHESTRATOR_ENV } from './orchestrator-config';
import { REDIS_ENV } from './connection-security';
import { TRACING_ENV } from './tracing-config';
import { WEBHOOKS_ENV } from './webhooks-config';

const port = (description: string, value: number) => int(description, { minimum: 1, maximum: 65535, default: value });

/**
 * The environment, declared once as JSON Schema (docs/decisions/0165): the variables each AppConfig field is read
 * from. A process validates the variables of the fields in its slice (config-slices.ts) and nothing else.
 */
export const APP_ENV = {
  nodeEnv: { NODE_ENV: oneOf('The deployment kind.', ['development', 'production', 'test'], 'development') },
  logLevel: { LOG_LEVEL: oneOf('Least severe level logged.', LOG_LEVELS, 'info') },
  logFormat: {
    LOG_FORMAT: oneOf('`pretty` (colored lines), `json`, or `auto`: pretty on a terminal.', LOG_FORMATS, 'auto'),
  },
  databaseUrl: DATABASE_ENV,
  databasePoolSize: {
    DATABASE_POOL_SIZE: int('PostgreSQL connections per process.', { minimum: 1, maximum: 200, default: 10 }),
  },
  redisUrl: REDIS_ENV,
  registryPort: { REGISTRY_PORT: port('Registry HTTP port.', 5100) },
  orchestratorPort: { ORCHESTRATOR_PORT: port('Orchestrator HTTP port.', 5200) },
  agentHostPort: { AGENT_HOST_PORT: port('Agent host HTTP port.', 6000) },
  registryUrl: {
    REGISTRY_URL: url('How other apps reach the registry (default http://127.0.0.1:$REGISTRY_PORT).', [
      'http:',
      'https:',
    ]),
  },
  heartbeatIntervalSeconds: {
    HEARTBEAT_INTERVAL_SECONDS: int('How often agents beat.', { minimum: 1, maximum: 3600, default: 30 }),
  },
  heartbeatTtlSeconds: {
    HEARTBEAT_TTL_SECONDS: int('An agent silent this long is marked offline.', {
      minimum: 1,
      maximum: 86400,
      default: 90,
    }),
  },
  heartbeatGraceSeconds: {
    HEARTBEAT_GRACE_SECONDS: int('Slack past the TTL before an agent goes offline (default min(15, TTL)).', {
      minimum: 0,
      maximum: 3600,
    }),
  },
  livenessSweepSeconds: {
    LIVENESS_SWEEP_SECONDS: int('How often the registry looks for expired agents.', {
      minimum: 1,
      maximum: 3600,
      default: 5,
    }),
  },
  registryRedisPrefix: {
    REGISTRY_REDIS_PREFIX: text("Prefix of the registry's Redis keys and event channel.", {
      default: 'registry:',
      pattern: NAME_PATTERN,
      expected: NAME_EXPECTED,
    }),
  },
  httpBodyLimitBytes: {
    HTTP_BODY_LIMIT_BYTES: int('Largest accepted HTTP body, in bytes.', {
      minimum: 1024,
      maximum: 104_857_600,
      default: 1_048_576,
    }),
  },
  shutdownGraceSeconds: {
    SHUTDOWN_GRACE_SECONDS: int('Time SIGTERM gives an app to drain.', { minimum: 1, maximum: 600, default: 25 }),
  },
  agentIds: {
    AGENT_IDS: text('What one agent host runs: agent ids (DEV-001,QA-001), `role:<role>` or `all` (default).'),
    AGENT_ID: text('Read when AGENT_IDS is unset (the seed singular).'),
  },
  agentHostInstanceId: {
    AGENT_HOST_INSTANCE_ID: text('Consumer name on the bus, stable across restarts (default <hostname>-<port>).', {
      pattern: NAME_PATTERN,
      expected: NAME_EXPECTED,
    }),
  },
  agentHostAdvertiseHost: {
    AGENT_HOST_ADVERTISE_HOST: text('Host name the agent host reports to the registry (default the hostname).'),
  },
  taskTimeoutSeconds: {
    TASK_TIMEOUT_SECONDS: int("Limit of tasks run through the host's HTTP API.", {
      minimum: 1,
      maximum: 86400,
      default: 600,
    }),
  },
  agentAskTimeoutSeconds: {
    AGENT_ASK_TIMEOUT_SECONDS: int("How long an agent waits for another agent's answer.", {
      minimum: 1,
      maximum: 3600,
      default: 30,
    }),
  },
  transportKeyPrefix: {
    TRANSPORT_KEY_PREFIX: text("Prefix of the bus's Redis keys.", {
      default: 'ea',
      pattern: NAME_PATTERN,
      expected: NAME_EXPECTED,
    }),
  },
  model: MODEL_ENV,
  orchestrator: ORCHESTRATOR_ENV,
  console: CONSOLE_ENV,
  dispatch: DISPATCH_ENV,
  auth: AUTH_ENV,
  tracing: TRACING_ENV,
  a2a: A2A_ENV,
  limits: LIMITS_ENV,
  webhooks: WEBHOOKS_ENV,
} as const satisfies Record<keyof AppConfig, EnvProperties>;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every variable, typed from its schema. */
export type AppEnv = EnvOf<UnionToIntersection<(typeof APP_ENV)[keyof AppConfig]>>;

/** Every declared variable with its schema (each belongs to exactly one AppConfig field). */
export const ENV_VARIABLES: EnvProperties = Object.assign({}, ...Object.values(APP_ENV)) as EnvProperties;

/** The environment with every variable unset: what a field outside a process's slice is built from. */
export const UNSET_ENV = envDefaults(ENV_VARIABLES) as AppEnv;

/** The variables a process validates: those of the fields in its slice. */
export function sliceVariables(app?: ConfigProcess): EnvProperties {
  const slice = configSlice(app);
  return Object.assign({}, ...[...slice].map((key) => APP_ENV[key])) as EnvProperties;
}

const compiled = new Map<ConfigProcess | 'every', CompiledEnvCheck>();

/** The compiled validator of a process's slice (without a process, of every variable), compiled on first use. */
export function sliceCheck(app?: ConfigProcess): CompiledEnvCheck {
  const key = app ?? 'every';
  let check = compiled.get(key);
  if (check === undefined) {
    check = compileEnvSchema(sliceVariables(app));
    compiled.set(key, check);
  }
  return check;
}
