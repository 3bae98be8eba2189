/** The one typed configuration object every app is built from. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: LogLevel;
  databaseUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  registryPort: number;
  orchestratorPort: number;
  agentHostPort: number;
  registryUrl: string;
  heartbeatIntervalSeconds: number;
  heartbeatTtlSeconds: number;
  /** Extra time past the TTL before an agent is marked offline, so one late beat never flaps it. */
  heartbeatGraceSeconds: number;
  /** How often the registry looks for agents whose heartbeat expired. */
  livenessSweepSeconds: number;
  /** Prefix of every Redis key and channel the registry uses (heartbeat freshness, events). */
  registryRedisPrefix: string;
  /** Largest accepted HTTP body, in bytes. */
  httpBodyLimitBytes: number;
  /** Time SIGTERM gives an app to drain before it exits. */
  shutdownGraceSeconds: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Injection token for AppConfig (an interface has no runtime value). */
export const APP_CONFIG = Symbol('APP_CONFIG');
