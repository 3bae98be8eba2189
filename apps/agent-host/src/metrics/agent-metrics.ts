import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The seed's agent metrics (names and labels kept so its dashboards work), plus model usage. */
export const AGENT_TASKS_TOTAL = 'agent_tasks_total';
export const AGENT_TASK_DURATION = 'agent_task_duration_seconds';
export const AGENT_ACTIVE_TASKS = 'agent_active_tasks';
export const AGENT_ERRORS_TOTAL = 'agent_errors_total';
export const AGENT_MODEL_TOKENS_TOTAL = 'agent_model_tokens_total';
export const AGENT_MODEL_CALL_DURATION = 'agent_model_call_duration_seconds';
export const AGENT_MODEL_COST_USD_TOTAL = 'agent_model_cost_usd_total';
export const AGENT_MODEL_LIMIT_WAIT = 'agent_model_limit_wait_seconds';
export const AGENT_MODEL_THROTTLED_TOTAL = 'agent_model_throttled_total';

export const AGENT_METRIC_PROVIDERS = [
  makeCounterProvider({
    name: AGENT_TASKS_TOTAL,
    help: 'Total tasks processed by agent',
    labelNames: ['agent_id', 'status'],
  }),
  makeHistogramProvider({
    name: AGENT_TASK_DURATION,
    help: 'Task execution duration',
    labelNames: ['agent_id'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  }),
  makeGaugeProvider({ name: AGENT_ACTIVE_TASKS, help: 'Number of currently active tasks', labelNames: ['agent_id'] }),
  makeCounterProvider({
    name: AGENT_ERRORS_TOTAL,
    help: 'Total errors encountered',
    labelNames: ['agent_id', 'error_type'],
  }),
  makeCounterProvider({
    name: AGENT_MODEL_TOKENS_TOTAL,
    help: 'Model tokens used by agent tasks',
    labelNames: ['agent_id', 'direction'],
  }),
  makeCounterProvider({
    name: AGENT_MODEL_COST_USD_TOTAL,
    help: 'USD spent on model calls, by the price table (MODEL_PRICES_FILE overrides it)',
    labelNames: ['agent_id', 'model'],
  }),
  makeHistogramProvider({
    name: AGENT_MODEL_LIMIT_WAIT,
    help: 'Time model calls waited for the limits shared by all hosts (MODEL_RPM/TPM/MAX_CONCURRENT), by outcome',
    labelNames: ['provider', 'model', 'outcome'],
    buckets: [0.05, 0.25, 1, 5, 15, 30, 60, 120, 300],
  }),
  makeCounterProvider({
    name: AGENT_MODEL_THROTTLED_TOTAL,
    help: 'Model calls the provider answered 429 despite the shared limits (its retry-after then holds all hosts)',
    labelNames: ['provider', 'model'],
  }),
  makeHistogramProvider({
    name: AGENT_MODEL_CALL_DURATION,
    help: 'Model call latency',
    labelNames: ['agent_id', 'provider'],
    buckets: [0.005, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  }),
];

@Injectable()
export class AgentMetrics {
  constructor(
    @InjectMetric(AGENT_TASKS_TOTAL) private readonly tasks: Counter<string>,
    @InjectMetric(AGENT_TASK_DURATION) private readonly duration: Histogram<string>,
    @InjectMetric(AGENT_ACTIVE_TASKS) private readonly active: Gauge<string>,
    @InjectMetric(AGENT_ERRORS_TOTAL) private readonly errors: Counter<string>,
    @InjectMetric(AGENT_MODEL_TOKENS_TOTAL) private readonly tokens: Counter<string>,
    @InjectMetric(AGENT_MODEL_CALL_DURATION) private readonly modelCalls: Histogram<string>,
    @InjectMetric(AGENT_MODEL_COST_USD_TOTAL) private readonly cost: Counter<string>,
    @InjectMetric(AGENT_MODEL_LIMIT_WAIT) private readonly limitWait: Histogram<string>,
    @InjectMetric(AGENT_MODEL_THROTTLED_TOTAL) private readonly throttled: Counter<string>,
  ) {}

  /** Series exist from start-up (value 0) so dashboards and alerts see every hosted agent. */
  initAgent(agentId: string): void {
    this.active.set({ agent_id: agentId }, 0);
    for (const status of ['completed', 'failed', 'canceled']) this.tasks.inc({ agent_id: agentId, status }, 0);
  }

  setActive(agentId: string, count: number): void {
    this.active.set({ agent_id: agentId }, count);
  }

  taskFinished(agentId: string, status: string, seconds: number): void {
    this.tasks.inc({ agent_id: agentId, status });
    this.duration.observe({ agent_id: agentId }, seconds);
  }

  error(agentId: string, errorType: string): void {
    this.errors.inc({ agent_id: agentId, error_type: errorType });
  }

  modelUsage(agentId: string, inputTokens: number, outputTokens: number): void {
    if (inputTokens > 0) this.tokens.inc({ agent_id: agentId, direction: 'input' }, inputTokens);
    if (outputTokens > 0) this.tokens.inc({ agent_id: agentId, direction: 'output' }, outputTokens);
  }

  modelCost(agentId: string, model: string, usd: number): void {
    this.cost.inc({ agent_id: agentId, model }, usd);
  }

  modelLimitWait(labels: { provider: string; model: string }, seconds: number, outcome: string): void {
    this.limitWait.observe({ ...labels, outcome }, seconds);
  }

  modelThrottled(labels: { provider: string; model: string }): void {
    this.throttled.inc(labels);
  }

  modelCall(agentId: string, provider: string, seconds: number): void {
    this.modelCalls.observe({ agent_id: agentId, provider }, seconds);
  }
}
