import { ModelProvider, ModelRequest, ModelResponse } from '@app/agents';
import { AgentMetrics } from '../metrics/agent-metrics';

/** Wraps the shared provider for one agent: every call's latency and tokens land in that agent's metrics. */
export class TimedModelProvider implements ModelProvider {
  constructor(
    private readonly inner: ModelProvider,
    private readonly agentId: string,
    private readonly metrics: AgentMetrics,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async complete(request: ModelRequest, options?: { signal?: AbortSignal }): Promise<ModelResponse> {
    const started = performance.now();
    try {
      const response = await this.inner.complete(request, options);
      this.metrics.modelUsage(this.agentId, response.usage.input_tokens, response.usage.output_tokens);
      if (response.cost_usd) this.metrics.modelCost(this.agentId, response.model, response.cost_usd);
      return response;
    } finally {
      this.metrics.modelCall(this.agentId, this.inner.name, (performance.now() - started) / 1000);
    }
  }
}
