import type { AppConfig } from './app-config';

/** The processes that load an AppConfig; a migration run reads only the database (loadDatabaseUrl). */
export const CONFIG_PROCESSES = ['registry', 'orchestrator', 'agent-host'] as const;
export type ConfigProcess = (typeof CONFIG_PROCESSES)[number];

type ConfigKey = keyof AppConfig;

/** Read by every app: through libs/persistence, libs/observability, libs/auth, the HTTP kit and main.ts. */
const EVERY_APP: readonly ConfigKey[] = [
  'nodeEnv', // auth's production rules, webhooks' and the console's defaults
  'logLevel',
  'logFormat',
  'databaseUrl',
  'databasePoolSize',
  'redisUrl',
  'httpBodyLimitBytes',
  'shutdownGraceSeconds',
  'transportKeyPrefix', // libs/auth rate limits and stream tickets key their Redis entries with it
  'auth',
  'tracing',
  'limits',
];

/**
 * The part of AppConfig each process reads (docs/decisions/0161): the fields its code and the libs it imports use,
 * plus the fields their defaults are derived from (the registry's CORS default names ORCHESTRATOR_PORT; REGISTRY_URL
 * defaults to REGISTRY_PORT). The rest of its AppConfig is filled with documented defaults, not read.
 * Reading a field outside this list gets its default: add the field here when a process starts to use it.
 */
export const CONFIG_SLICES: Record<ConfigProcess, readonly ConfigKey[]> = {
  registry: [
    ...EVERY_APP,
    'registryPort',
    'orchestratorPort', // the default CORS origins and orchestrator URL in agent cards
    'heartbeatTtlSeconds',
    'heartbeatGraceSeconds',
    'livenessSweepSeconds',
    'registryRedisPrefix',
    'console', // REGISTRY_CORS_ORIGINS
    'a2a', // cards, remote agents
  ],
  orchestrator: [
    ...EVERY_APP,
    'orchestratorPort',
    'registryPort', // REGISTRY_URL's default
    'registryUrl', // discovery
    'orchestrator',
    'console',
    'dispatch',
    'a2a',
    'webhooks',
  ],
  'agent-host': [
    ...EVERY_APP,
    'agentHostPort',
    'registryPort', // REGISTRY_URL's default
    'registryUrl', // registration and heartbeats
    'heartbeatIntervalSeconds',
    'heartbeatTtlSeconds',
    'agentIds',
    'agentHostInstanceId',
    'agentHostAdvertiseHost',
    'taskTimeoutSeconds',
    'agentAskTimeoutSeconds',
    'model',
  ],
};

/** The fields a process reads from the environment; without a process, every field (tests that build several apps). */
export function configSlice(app?: ConfigProcess): ReadonlySet<ConfigKey> {
  if (app === undefined) return new Set(CONFIG_PROCESSES.flatMap((p) => CONFIG_SLICES[p]));
  return new Set(CONFIG_SLICES[app]);
}
