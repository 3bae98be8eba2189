import { isAgentId } from '@app/contracts';
import { hostname } from 'node:os';
import { a2aConfig } from './a2a-config';
import { AgentSelection, AppConfig, LogFormat } from './app-config';
import { authConfig } from './auth-config';
import { ConfigError } from './config.error';
import { AppEnv, sliceCheck, UNSET_ENV } from './config-env';
import { ConfigProcess, configSlice } from './config-slices';
import { redisConnectionUrl } from './redis-settings';
import { consoleConfig } from './console-config';
import { databaseUrl } from './database-config';
import { dispatchConfig } from './dispatch-config';
import { EnvRules } from './env-schema';
import { limitsConfig } from './limits-config';
import { modelConfig } from './model-config';
import { orchestratorConfig } from './orchestrator-config';
import { tracingConfig } from './tracing-config';
import { webhooksConfig } from './webhooks-config';

/** `auto`: people at a terminal read colored lines; anything else (files, collectors) gets JSON. */
function logFormat(value: AppEnv['LOG_FORMAT']): LogFormat {
  if (value !== 'auto') return value;
  return process.stdout.isTTY ? 'pretty' : 'json';
}

const ROLE_RE = /^[a-z][a-z0-9_]{0,49}$/;

function agentHostInstanceDefault(port: number): string {
  return `${hostname()
    .replace(/[^A-Za-z0-9_.:-]/g, '-')
    .slice(0, 50)}-${port}`;
}

/** AGENT_IDS (or the seed's singular AGENT_ID): `all`, `role:<role>`, or a comma/space separated list of ids. */
function agentSelection(env: AppEnv, rules: EnvRules): AgentSelection {
  const name = env.AGENT_IDS !== undefined ? 'AGENT_IDS' : 'AGENT_ID';
  const value = env[name] ?? 'all';
  if (value.toLowerCase() === 'all') return { kind: 'all' };
  if (value.startsWith('role:')) {
    const role = value.slice('role:'.length).trim();
    if (!ROLE_RE.test(role))
      rules.fail(`${name} role must be a snake_case role such as role:qa_engineer (got "${value}")`);
    return { kind: 'role', role };
  }
  const ids = [...new Set(value.split(/[\s,]+/).filter((id) => id !== ''))];
  const bad = ids.filter((id) => !isAgentId(id));
  if (bad.length > 0)
    rules.fail(`${name} must be "all", "role:<role>" or agent ids such as DEV-001,QA-001 (bad: ${bad.join(', ')})`);
  return { kind: 'ids', ids };
}

/** A field outside the process's slice: built from the unset environment, its rules reporting to nobody. */
const OUTSIDE: EnvRules = { fail: () => undefined, isSet: () => false };

/**
 * Validates the environment into one AppConfig for one process: only the variables of that process's slice
 * (config-slices.ts) are read, by the slice's compiled JSON Schema (config-env.ts); the other fields get their
 * documented defaults, as if the variable were unset. Without a process every variable is read (tests that build
 * several apps from one config). What a schema can not say (URL defaults from other variables, rules across
 * variables, files that must be readable) runs after it. Throws ConfigError naming each bad variable; callers at
 * process start print it and exit.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env, app?: ConfigProcess): AppConfig {
  const slice = configSlice(app);
  const { values, problems, given } = sliceCheck(app)(source);
  const env = { ...UNSET_ENV, ...values } as AppEnv;
  const inSlice: EnvRules = { fail: (problem) => problems.push(problem), isSet: (name) => given.has(name) };
  const reads = (...keys: (keyof AppConfig)[]) => keys.every((key) => slice.has(key));
  const rules = (key: keyof AppConfig): EnvRules => (slice.has(key) ? inSlice : OUTSIDE);
  const { NODE_ENV: nodeEnv, REGISTRY_PORT: registryPort, ORCHESTRATOR_PORT: orchestratorPort } = env;
  const registryUrl = env.REGISTRY_URL ?? `http://127.0.0.1:${registryPort}`;
  const heartbeatIntervalSeconds = env.HEARTBEAT_INTERVAL_SECONDS;
  const heartbeatTtlSeconds = env.HEARTBEAT_TTL_SECONDS;
  const config: AppConfig = {
    nodeEnv,
    logLevel: env.LOG_LEVEL,
    logFormat: logFormat(env.LOG_FORMAT),
    databaseUrl: databaseUrl(env, rules('databaseUrl')),
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: redisConnectionUrl(env, rules('redisUrl')),
    registryPort,
    orchestratorPort,
    agentHostPort: env.AGENT_HOST_PORT,
    registryUrl,
    heartbeatIntervalSeconds,
    heartbeatTtlSeconds,
    heartbeatGraceSeconds: env.HEARTBEAT_GRACE_SECONDS ?? Math.min(15, heartbeatTtlSeconds),
    livenessSweepSeconds: env.LIVENESS_SWEEP_SECONDS,
    registryRedisPrefix: env.REGISTRY_REDIS_PREFIX,
    httpBodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
    shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
    agentIds: agentSelection(env, rules('agentIds')),
    // Host name + port: distinct for two hosts on one machine, stable across restarts (a restarted host resumes its pending entries).
    agentHostInstanceId: env.AGENT_HOST_INSTANCE_ID ?? agentHostInstanceDefault(env.AGENT_HOST_PORT),
    agentHostAdvertiseHost: env.AGENT_HOST_ADVERTISE_HOST ?? hostname(),
    taskTimeoutSeconds: env.TASK_TIMEOUT_SECONDS,
    agentAskTimeoutSeconds: env.AGENT_ASK_TIMEOUT_SECONDS,
    transportKeyPrefix: env.TRANSPORT_KEY_PREFIX,
    model: modelConfig(env, rules('model')),
    orchestrator: orchestratorConfig(env),
    console: consoleConfig(env, rules('console'), { nodeEnv, orchestratorPort, registryUrl }),
    dispatch: dispatchConfig(env),
    auth: authConfig(env, rules('auth'), nodeEnv),
    tracing: tracingConfig(env),
    a2a: a2aConfig(env, rules('a2a'), { orchestrator: orchestratorPort, registry: registryPort }, heartbeatTtlSeconds),
    limits: limitsConfig(env),
    webhooks: webhooksConfig(env, rules('webhooks'), nodeEnv),
  };
  // Checks across fields run only where the process reads both.
  // A remote A2A agent's card probe is its heartbeat: it must come more often than the TTL allows.
  if (reads('a2a', 'heartbeatTtlSeconds') && config.a2a.remote.probeSeconds >= heartbeatTtlSeconds) {
    problems.push(
      `A2A_REMOTE_PROBE_SECONDS (${config.a2a.remote.probeSeconds}) must be less than HEARTBEAT_TTL_SECONDS (${heartbeatTtlSeconds})`,
    );
  }
  if (reads('heartbeatTtlSeconds', 'heartbeatIntervalSeconds') && heartbeatTtlSeconds <= heartbeatIntervalSeconds) {
    problems.push(
      `HEARTBEAT_TTL_SECONDS (${heartbeatTtlSeconds}) must be greater than HEARTBEAT_INTERVAL_SECONDS (${heartbeatIntervalSeconds})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
