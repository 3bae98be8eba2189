import { AgentTaskError } from '../lifecycle/agent.errors';
import type { AgentTask } from '../lifecycle/agent-task';
import { ModelProvider, ModelRequest, ModelResponse } from '../providers/model-provider';
import { PriceTable, roundUsd } from './price-table';

/**
 * Prices every call by the price table (on the response and added to the task's `cost_usd`) and enforces the task's
 * budget: once its tokens or cost reached a limit, no further model call is made and the task fails with
 * `budget_exceeded`. A call in flight is not cut short, so a task can end slightly above its budget.
 */
export class MeteredModelProvider implements ModelProvider {
  readonly name: string;

  constructor(
    private readonly inner: ModelProvider,
    private readonly prices: PriceTable,
  ) {
    this.name = inner.name;
  }

  async complete(request: ModelRequest, options?: { signal?: AbortSignal }): Promise<ModelResponse> {
    if (request.task?.budget) assertWithinBudget(request.task);
    const response = await this.inner.complete(request, options);
    const cost = this.prices.cost(this.inner.name, response.model, response.usage).usd;
    if (request.task) request.task.cost_usd = roundUsd((request.task.cost_usd ?? 0) + cost);
    return { ...response, cost_usd: cost };
  }
}

/** Throws AgentTaskError `budget_exceeded` naming the limit reached. */
export function assertWithinBudget(task: Pick<AgentTask, 'usage' | 'cost_usd' | 'budget'>): void {
  const { budget } = task;
  if (!budget) return;
  const tokens = task.usage.input_tokens + task.usage.output_tokens;
  if (budget.max_tokens !== undefined && tokens >= budget.max_tokens)
    throw new AgentTaskError(
      'budget_exceeded',
      `budget_exceeded: ${tokens} tokens used, max_tokens is ${budget.max_tokens}`,
    );
  const cost = task.cost_usd ?? 0;
  if (budget.max_cost_usd !== undefined && cost >= budget.max_cost_usd)
    throw new AgentTaskError(
      'budget_exceeded',
      `budget_exceeded: $${cost} spent, max_cost_usd is ${budget.max_cost_usd}`,
    );
}
