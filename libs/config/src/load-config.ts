import { isAgentId } from '@app/contracts';
import { hostname } from 'node:os';
import {
  AgentSelection,
  AppConfig,
  LOG_FORMATS,
  LOG_LEVELS,
  LogFormat,
  MODEL_PROVIDERS,
  ModelConfig,
  OrchestratorConfig,
} from './app-config';
import { consoleConfig } from './console-config';
import { dispatchConfig } from './dispatch-config';
import { a2aConfig } from './a2a-config';
import { webhooksConfig } from './webhooks-config';
import { EnvReader } from './env-reader';
import { redisConnectionUrl } from './connection-security';
import { databaseUrl } from './database-config';
import { ConfigProcess, configSlice } from './config-slices';
import { authConfig } from './auth-config';
import { modelLimitsConfig } from './model-limits-config';
import { modelPricesConfig } from './model-prices-config';
import { tracingConfig } from './tracing-config';
import { limitsConfig } from './limits-config';

/** `auto`: people at a terminal read colored lines; anything else (files, collectors) gets JSON. */
function logFormat(value: (typeof LOG_FORMATS)[number]): LogFormat {
  if (value !== 'auto') return value;
  return process.stdout.isTTY ? 'pretty' : 'json';
}

const ROLE_RE = /^[a-z][a-z0-9_]{0,49}$/;
const NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

function agentHostInstanceDefault(port: number): string {
  return `${hostname()
    .replace(/[^A-Za-z0-9_.:-]/g, '-')
    .slice(0, 50)}-${port}`;
}

/** AGENT_IDS (or the seed's singular AGENT_ID): `all`, `role:<role>`, or a comma/space separated list of ids. */
function agentSelection(env: EnvReader): AgentSelection {
  const name = env.raw('AGENT_IDS') !== undefined ? 'AGENT_IDS' : 'AGENT_ID';
  const value = env.raw(name) ?? 'all';
  if (value.toLowerCase() === 'all') return { kind: 'all' };
  if (value.startsWith('role:')) {
    const role = value.slice('role:'.length).trim();
    if (!ROLE_RE.test(role))
      env.fail(`${name} role must be a snake_case role such as role:qa_engineer (got "${value}")`);
    return { kind: 'role', role };
  }
  const ids = [...new Set(value.split(/[\s,]+/).filter((id) => id !== ''))];
  const bad = ids.filter((id) => !isAgentId(id));
  if (bad.length > 0)
    env.fail(`${name} must be "all", "role:<role>" or agent ids such as DEV-001,QA-001 (bad: ${bad.join(', ')})`);
  return { kind: 'ids', ids };
}

/** MODEL_*: real providers need a model name, and a key unless a self-hosted base URL is given. */
function modelConfig(env: EnvReader): ModelConfig {
  const provider = env.oneOf('MODEL_PROVIDER', MODEL_PROVIDERS, 'scripted');
  const baseUrlRaw = env.optionalString('MODEL_BASE_URL');
  const baseUrl =
    baseUrlRaw === undefined ? undefined : env.url('MODEL_BASE_URL', 'http://invalid', ['http:', 'https:']);
  const vendorKey =
    provider === 'openai' ? 'OPENAI_API_KEY' : provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : undefined;
  const apiKey = env.optionalString('MODEL_API_KEY') ?? (vendorKey ? env.optionalString(vendorKey) : undefined);
  const name =
    provider === 'scripted' ? (env.optionalString('MODEL_NAME') ?? 'scripted') : env.optionalString('MODEL_NAME');
  if (name === undefined) env.fail(`MODEL_NAME is required when MODEL_PROVIDER=${provider}`);
  if (provider === 'anthropic' && apiKey === undefined)
    env.fail('MODEL_API_KEY (or ANTHROPIC_API_KEY) is required when MODEL_PROVIDER=anthropic');
  if (provider === 'openai' && apiKey === undefined && baseUrlRaw === undefined) {
    env.fail('MODEL_API_KEY (or OPENAI_API_KEY) is required when MODEL_PROVIDER=openai without MODEL_BASE_URL');
  }
  return {
    provider,
    providerDefaulted: env.raw('MODEL_PROVIDER') === undefined,
    baseUrl,
    name: name ?? provider,
    apiKey,
    timeoutMs: env.int('MODEL_TIMEOUT_MS', 60_000, 100, 600_000),
    maxRetries: env.int('MODEL_MAX_RETRIES', 2, 0, 10),
    maxOutputTokens: env.int('MODEL_MAX_OUTPUT_TOKENS', 4096, 16, 200_000),
    scriptedLatencyMs: env.int('SCRIPTED_LATENCY_MS', 0, 0, 600_000),
    scriptedCallLog: env.optionalString('SCRIPTED_CALL_LOG'),
    prices: modelPricesConfig(env),
    limits: modelLimitsConfig(env),
  };
}

/** ORCHESTRATOR_*: group commit, discovery cache, dispatch/deadline loops and task defaults. */
function orchestratorConfig(env: EnvReader): OrchestratorConfig {
  return {
    groupCommitMs: env.int('ORCHESTRATOR_GROUP_COMMIT_MS', 2, 0, 1000),
    groupCommitMaxBatch: env.int('ORCHESTRATOR_GROUP_COMMIT_MAX_BATCH', 1000, 1, 10_000),
    groupCommitLanes: env.int('ORCHESTRATOR_GROUP_COMMIT_LANES', 4, 1, 64),
    discoveryCacheMs: env.int('ORCHESTRATOR_DISCOVERY_CACHE_MS', 1000, 0, 60_000),
    dispatchScanMs: env.int('ORCHESTRATOR_DISPATCH_SCAN_MS', 1000, 50, 60_000),
    deadlineSweepMs: env.int('ORCHESTRATOR_DEADLINE_SWEEP_MS', 1000, 50, 60_000),
    taskTimeoutSeconds: env.int('ORCHESTRATOR_TASK_TIMEOUT_SECONDS', 300, 1, 86_400),
    maxAttempts: env.int('ORCHESTRATOR_MAX_ATTEMPTS', 3, 1, 20),
    workflowsDir: env.string('ORCHESTRATOR_WORKFLOWS_DIR', 'apps/orchestrator/workflows'),
    nestRedisTransport: env.oneOf('ORCHESTRATOR_NEST_REDIS_TRANSPORT', ['true', 'false'] as const, 'false') === 'true',
    resultsConcurrency: env.int('ORCHESTRATOR_RESULTS_CONCURRENCY', 256, 1, 10_000),
    instanceId: orchestratorInstanceId(env),
    schedulerTickMs: env.int('ORCHESTRATOR_SCHEDULER_TICK_MS', 500, 50, 60_000),
    scheduleLateToleranceMs: env.int('ORCHESTRATOR_SCHEDULE_LATE_TOLERANCE_MS', 5_000, 0, 3_600_000),
    retentionDays: env.int('ORCHESTRATOR_RETENTION_DAYS', 30, 0, 36_500),
    retentionMode: env.oneOf('ORCHESTRATOR_RETENTION_MODE', ['delete', 'archive'] as const, 'delete'),
    retentionBatch: env.int('ORCHESTRATOR_RETENTION_BATCH', 500, 1, 10_000),
    retentionIntervalMs: env.int('ORCHESTRATOR_RETENTION_INTERVAL_MS', 600_000, 1_000, 86_400_000),
  };
}

function orchestratorInstanceId(env: EnvReader): string {
  const id = env.string(
    'ORCHESTRATOR_INSTANCE_ID',
    `orchestrator-${hostname()}`.replace(/[^A-Za-z0-9_.:-]/g, '-').slice(0, 64),
  );
  if (!NAME_RE.test(id))
    env.fail(`ORCHESTRATOR_INSTANCE_ID must be 1-64 characters of letters, digits, ':', '_', '.', '-' (got "${id}")`);
  return id;
}

/**
 * Validates the environment into one AppConfig for one process: only the variables of that process's slice
 * (config-slices.ts) are read; the other fields get their documented defaults, as if the variable were unset.
 * Without a process every variable is read (tests that build several apps from one config). Throws ConfigError
 * naming each bad variable; callers at process start print it and exit.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env, app?: ConfigProcess): AppConfig {
  const env = new EnvReader(source);
  const unset = new EnvReader({});
  const slice = configSlice(app);
  const reads = (...keys: (keyof AppConfig)[]) => keys.every((key) => slice.has(key));
  const from = (key: keyof AppConfig): EnvReader => (slice.has(key) ? env : unset);
  const nodeEnv = from('nodeEnv').oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const registryPort = from('registryPort').int('REGISTRY_PORT', 5100, 1, 65535);
  const orchestratorPort = from('orchestratorPort').int('ORCHESTRATOR_PORT', 5200, 1, 65535);
  const agentHostPort = from('agentHostPort').int('AGENT_HOST_PORT', 6000, 1, 65535);
  const registryUrl = from('registryUrl').url('REGISTRY_URL', `http://127.0.0.1:${registryPort}`, ['http:', 'https:']);
  const heartbeatIntervalSeconds = from('heartbeatIntervalSeconds').int('HEARTBEAT_INTERVAL_SECONDS', 30, 1, 3600);
  const heartbeatTtlSeconds = from('heartbeatTtlSeconds').int('HEARTBEAT_TTL_SECONDS', 90, 1, 86400);
  const config: AppConfig = {
    nodeEnv,
    logLevel: from('logLevel').oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: logFormat(from('logFormat').oneOf('LOG_FORMAT', LOG_FORMATS, 'auto')),
    databaseUrl: databaseUrl(from('databaseUrl')),
    databasePoolSize: from('databasePoolSize').int('DATABASE_POOL_SIZE', 10, 1, 200),
    redisUrl: redisConnectionUrl(from('redisUrl')),
    registryPort,
    orchestratorPort,
    agentHostPort,
    registryUrl,
    heartbeatIntervalSeconds,
    heartbeatTtlSeconds,
    heartbeatGraceSeconds: from('heartbeatGraceSeconds').int(
      'HEARTBEAT_GRACE_SECONDS',
      Math.min(15, heartbeatTtlSeconds),
      0,
      3600,
    ),
    livenessSweepSeconds: from('livenessSweepSeconds').int('LIVENESS_SWEEP_SECONDS', 5, 1, 3600),
    registryRedisPrefix: from('registryRedisPrefix').string('REGISTRY_REDIS_PREFIX', 'registry:'),
    httpBodyLimitBytes: from('httpBodyLimitBytes').int('HTTP_BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    shutdownGraceSeconds: from('shutdownGraceSeconds').int('SHUTDOWN_GRACE_SECONDS', 25, 1, 600),
    agentIds: agentSelection(from('agentIds')),
    // Host name + port: distinct for two hosts on one machine, stable across restarts (a restarted host resumes its pending entries).
    agentHostInstanceId: from('agentHostInstanceId').string(
      'AGENT_HOST_INSTANCE_ID',
      agentHostInstanceDefault(agentHostPort),
    ),
    agentHostAdvertiseHost: from('agentHostAdvertiseHost').string('AGENT_HOST_ADVERTISE_HOST', hostname()),
    taskTimeoutSeconds: from('taskTimeoutSeconds').int('TASK_TIMEOUT_SECONDS', 600, 1, 86400),
    agentAskTimeoutSeconds: from('agentAskTimeoutSeconds').int('AGENT_ASK_TIMEOUT_SECONDS', 30, 1, 3600),
    transportKeyPrefix: from('transportKeyPrefix').string('TRANSPORT_KEY_PREFIX', 'ea'),
    model: modelConfig(from('model')),
    orchestrator: orchestratorConfig(from('orchestrator')),
    console: consoleConfig(from('console'), { nodeEnv, orchestratorPort, registryUrl }),
    dispatch: dispatchConfig(from('dispatch')),
    auth: authConfig(from('auth'), nodeEnv),
    tracing: tracingConfig(from('tracing')),
    a2a: a2aConfig(from('a2a'), { orchestrator: orchestratorPort, registry: registryPort }, heartbeatTtlSeconds),
    limits: limitsConfig(from('limits')),
    webhooks: webhooksConfig(from('webhooks'), nodeEnv),
  };
  // Checks across fields run only where the process reads both.
  // A remote A2A agent's card probe is its heartbeat: it must come more often than the TTL allows.
  if (reads('a2a', 'heartbeatTtlSeconds') && config.a2a.remote.probeSeconds >= heartbeatTtlSeconds) {
    env.fail(
      `A2A_REMOTE_PROBE_SECONDS (${config.a2a.remote.probeSeconds}) must be less than HEARTBEAT_TTL_SECONDS (${heartbeatTtlSeconds})`,
    );
  }
  if (reads('heartbeatTtlSeconds', 'heartbeatIntervalSeconds') && heartbeatTtlSeconds <= heartbeatIntervalSeconds) {
    env.fail(
      `HEARTBEAT_TTL_SECONDS (${heartbeatTtlSeconds}) must be greater than HEARTBEAT_INTERVAL_SECONDS (${heartbeatIntervalSeconds})`,
    );
  }
  if (reads('registryRedisPrefix') && !/^[A-Za-z0-9:_.-]{1,64}$/.test(config.registryRedisPrefix)) {
    env.fail(
      `REGISTRY_REDIS_PREFIX must be 1-64 characters of letters, digits, ':', '_', '.', '-' (got "${config.registryRedisPrefix}")`,
    );
  }
  if (reads('agentHostInstanceId') && !NAME_RE.test(config.agentHostInstanceId)) {
    env.fail(
      `AGENT_HOST_INSTANCE_ID must be 1-64 characters of letters, digits, ':', '_', '.', '-' (got "${config.agentHostInstanceId}")`,
    );
  }
  if (reads('transportKeyPrefix') && !NAME_RE.test(config.transportKeyPrefix)) {
    env.fail(
      `TRANSPORT_KEY_PREFIX must be 1-64 characters of letters, digits, ':', '_', '.', '-' (got "${config.transportKeyPrefix}")`,
    );
  }
  env.done();
  return config;
}
