import { Logger, Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { createModelProvider, ModelProvider } from '@app/agents';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/persistence';
import { MODEL_PROVIDER } from '../hosting/hosted-agents';
import { AgentMetrics } from '../metrics/agent-metrics';
import { OrchestratorReporter } from '../tasks/orchestrator-reporter';
import { LimitedModelProvider } from './limited-model-provider';
import { PROVIDER_WINDOW_MS, SlidingWindow } from './sliding-window';

/**
 * The model every hosted agent calls through: MODEL_PROVIDER's client, priced and budgeted, traced, and held to the
 * limits shared by all hosts (MODEL_RPM/TPM/MAX_CONCURRENT) when any is set. SCRIPTED_RPM gives the scripted
 * provider a limit of its own, counted across hosts like a real provider's.
 */
export const modelProviderFactory: Provider = {
  provide: MODEL_PROVIDER,
  inject: [APP_CONFIG, REDIS_CLIENT, AgentMetrics, OrchestratorReporter],
  useFactory: (
    config: AppConfig,
    redis: Redis,
    metrics: AgentMetrics,
    reporter: OrchestratorReporter,
  ): ModelProvider => {
    const { model } = config;
    const limits = model.limits ?? { rpm: 0, tpm: 0, maxConcurrent: 0, maxWaitMs: 120_000, scriptedRpm: 0 };
    const base = `${config.transportKeyPrefix}:model-limits:${model.provider}:${model.name}`;
    const simulated = new SlidingWindow(
      redis,
      `${config.transportKeyPrefix}:scripted-provider:${model.name}`,
      PROVIDER_WINDOW_MS,
    );
    const scriptedAdmit =
      model.provider === 'scripted' && limits.scriptedRpm > 0
        ? () => simulated.tryAcquire({ rpm: limits.scriptedRpm, tpm: 0, maxConcurrent: 0 }, 0, randomId(), 0)
        : undefined;
    const limited = limits.rpm > 0 || limits.tpm > 0 || limits.maxConcurrent > 0;
    const labels = { provider: model.provider, model: model.name };
    return createModelProvider(model, new Logger('ModelProvider'), {
      scriptedAdmit,
      limit: limited
        ? (inner) =>
            new LimitedModelProvider(
              inner,
              new SlidingWindow(redis, base),
              { ...limits, leaseMs: model.timeoutMs * (model.maxRetries + 1) + 5_000 },
              {
                waiting: (request, waitMs) => {
                  const task = request.task;
                  if (!task) return;
                  const message = { task_id: task.task_id, attempt: task.attempt, agent_id: request.agent.agent_id };
                  // Best effort: a lost notice only hides the wait, the call itself goes on.
                  void reporter.waitingForModel({ ...message, wait_ms: Math.round(waitMs) }).catch(() => undefined);
                },
                waited: (seconds, outcome) => metrics.modelLimitWait(labels, seconds, outcome),
                throttled: () => metrics.modelThrottled(labels),
              },
            )
        : undefined,
    });
  },
};

const randomId = () => `${Date.now()}-${Math.random().toString(36).slice(2)}`;
