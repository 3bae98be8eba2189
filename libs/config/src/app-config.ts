import { ConsoleConfig } from './console-config';
import { DispatchConfig } from './dispatch-config';
import type { AuthConfig } from './auth-config';
import type { ModelLimitsConfig } from './model-limits-config';
import type { ModelPrice } from './model-prices-config';
import type { TracingConfig } from './tracing-config';
import type { A2aConfig } from './a2a-config';
import type { LimitsConfig } from './limits-config';
import type { WebhooksConfig } from './webhooks-config';

/** The one typed configuration object every app is built from. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: LogLevel;
  /** `pretty` (colored, human-readable) or `json`; `auto` resolved at start-up: pretty on a terminal. */
  logFormat: LogFormat;
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
  /** Operator console settings (CONSOLE_*, REGISTRY_CORS_ORIGINS). */
  console: ConsoleConfig;
  /** Capacity-aware dispatch and task timeouts (ORCHESTRATOR_QUEUE_TIMEOUT_SECONDS, ...). */
  dispatch: DispatchConfig;
  /** Authentication, authorization, rate limits and audit (AUTH_*, OIDC_*, AUDIT_*). */
  auth: AuthConfig;
  /** OpenTelemetry traces (OTEL_* variables). */
  tracing: TracingConfig;
  /** A2A public URLs and push notifications (libs/config/src/a2a-config.ts). */
  a2a: A2aConfig;
  /** Bounds on inputs and resources (README "Limits"). */
  limits: LimitsConfig;
  /** Webhook targets, retries and the delivery worker (WEBHOOK_*). */
  webhooks: WebhooksConfig;
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
  /** How often each replica looks for due schedule fires. */
  schedulerTickMs: number;
  /** A fire found at most this late still counts as on time (later: the catch_up policy decides). */
  scheduleLateToleranceMs: number;
  /** Finished history older than this many days is removed; 0 keeps everything. */
  retentionDays: number;
  retentionMode: 'delete' | 'archive';
  retentionBatch: number;
  retentionIntervalMs: number;
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
  /** SCRIPTED_CALL_LOG: a file the scripted provider appends a line to per model call (the fault campaign's count). */
  scriptedCallLog?: string;
  /** MODEL_PRICES_FILE entries, laid over the built-in price table (libs/agents pricing). */
  prices?: ModelPrice[];
  /** MODEL_RPM / MODEL_TPM / MODEL_MAX_CONCURRENT shared through Redis, SCRIPTED_RPM. */
  limits?: ModelLimitsConfig;
}

/** AGENT_IDS parsed: syntax is checked here, membership in the catalog by the agent host at start-up. */
export type AgentSelection = { kind: 'all' } | { kind: 'role'; role: string } | { kind: 'ids'; ids: string[] };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = 'json' | 'pretty';

/** Injection token for AppConfig (an interface has no runtime value). */
export const APP_CONFIG = Symbol('APP_CONFIG');
