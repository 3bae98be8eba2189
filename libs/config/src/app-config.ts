import type { LimitsConfig } from './limits-config';

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
  /** Which catalog agents one agent host runs (AGENT_IDS: ids, `role:<role>` or `all`). */
  agentIds: AgentSelection;
  /** AGENT_HOST_INSTANCE_ID (default `<hostname>-<AGENT_HOST_PORT>`): transport consumer name and registry metadata; keep it stable across restarts. */
  agentHostInstanceId: string;
  /** Host name the agent host advertises to the registry. */
  agentHostAdvertiseHost: string;
  /** Time limit of a task that carries no deadline (HTTP `POST /task`). */
  taskTimeoutSeconds: number;
  /** How long an agent waits for another agent's answer (`ask`). */
  agentAskTimeoutSeconds: number;
  /** Prefix of every Redis Streams key of the transport (tests isolate themselves with a random one). */
  transportKeyPrefix: string;
  /** Model provider every agent executes through (MODEL_* variables). */
  model: ModelConfig;
  /** Orchestrator tuning (ORCHESTRATOR_* variables). */
  orchestrator: OrchestratorConfig;
  /** Bounds on inputs and resources (README "Limits"). */
  limits: LimitsConfig;
}

/** The orchestrator's durability/throughput knobs and defaults for tasks. */
export interface OrchestratorConfig {
  /** ORCHESTRATOR_GROUP_COMMIT_MS: longest a state change waits to share a commit with others. */
  groupCommitMs: number;
  /** ORCHESTRATOR_GROUP_COMMIT_MAX_BATCH: most state changes written by one commit. */
  groupCommitMaxBatch: number;
  /** ORCHESTRATOR_GROUP_COMMIT_LANES: parallel group-commit transactions (a task's changes always share one). */
  groupCommitLanes: number;
  /** ORCHESTRATOR_DISCOVERY_CACHE_MS: how long a registry discovery answer is reused. */
  discoveryCacheMs: number;
  /** ORCHESTRATOR_DISPATCH_SCAN_MS: how often the database is scanned for undispatched tasks. */
  dispatchScanMs: number;
  /** ORCHESTRATOR_DEADLINE_SWEEP_MS: how often overdue attempts are looked for. */
  deadlineSweepMs: number;
  /** ORCHESTRATOR_TASK_TIMEOUT_SECONDS: a task's deadline per attempt when the request names none. */
  taskTimeoutSeconds: number;
  /** ORCHESTRATOR_MAX_ATTEMPTS: attempts of a task when the request names none. */
  maxAttempts: number;
  /** ORCHESTRATOR_WORKFLOWS_DIR: folder of workflow definition files (*.json), validated at start-up. */
  workflowsDir: string;
  /** ORCHESTRATOR_NEST_REDIS_TRANSPORT: also serve OrchestratorPatterns over Nest's built-in Redis transport. */
  nestRedisTransport: boolean;
  /** ORCHESTRATOR_RESULTS_CONCURRENCY: result messages handled at once (they share commits). */
  resultsConcurrency: number;
  /** ORCHESTRATOR_INSTANCE_ID: this replica's transport consumer name; stable across restarts. */
  instanceId: string;
}

export const MODEL_PROVIDERS = ['openai', 'anthropic', 'scripted'] as const;
export type ModelProviderName = (typeof MODEL_PROVIDERS)[number];

export interface ModelConfig {
  /** MODEL_PROVIDER; `scripted` (deterministic, offline) when unset. */
  provider: ModelProviderName;
  /** True when MODEL_PROVIDER was not set, so start-up can say the scripted default is in use. */
  providerDefaulted: boolean;
  /** MODEL_BASE_URL: an OpenAI-compatible endpoint (vLLM, Ollama, ...) or an Anthropic proxy. */
  baseUrl?: string;
  /** MODEL_NAME; `scripted` for the scripted provider. */
  name: string;
  /** MODEL_API_KEY, else OPENAI_API_KEY / ANTHROPIC_API_KEY for the chosen provider. */
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
  /** MODEL_MAX_OUTPUT_TOKENS: reply budget per call (Anthropic requires one). */
  maxOutputTokens: number;
  /** SCRIPTED_LATENCY_MS: simulated model time per scripted call. */
  scriptedLatencyMs: number;
}

/** AGENT_IDS parsed: syntax is checked here, membership in the catalog by the agent host at start-up. */
export type AgentSelection = { kind: 'all' } | { kind: 'role'; role: string } | { kind: 'ids'; ids: string[] };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Injection token for AppConfig (an interface has no runtime value). */
export const APP_CONFIG = Symbol('APP_CONFIG');
