import { roundUsd } from '@app/agents';
import type { TaskBudget } from '../tasks/task.types';
import type { UsageTotals } from '../usage/usage-totals';

/** Why the run must stop, once what its tasks spent reached a limit; undefined while within budget. */
export function budgetStop(budget: TaskBudget, spent: UsageTotals): string | undefined {
  const tokens = spent.usage.input_tokens + spent.usage.output_tokens;
  if (budget.max_tokens !== undefined && tokens >= budget.max_tokens)
    return `budget_exceeded: the run used ${tokens} tokens, max_tokens is ${budget.max_tokens}`;
  if (budget.max_cost_usd !== undefined && spent.cost.usd >= budget.max_cost_usd)
    return `budget_exceeded: the run spent $${spent.cost.usd}, max_cost_usd is ${budget.max_cost_usd}`;
  return undefined;
}

/** What is left of a run's budget: the budget each new step task carries, so no task can spend past the run's. */
export function remainingBudget(budget: TaskBudget, spent: UsageTotals): TaskBudget {
  const left: TaskBudget = {};
  if (budget.max_tokens !== undefined)
    left.max_tokens = Math.max(1, budget.max_tokens - spent.usage.input_tokens - spent.usage.output_tokens);
  if (budget.max_cost_usd !== undefined)
    left.max_cost_usd = Math.max(1e-9, roundUsd(budget.max_cost_usd - spent.cost.usd));
  return left;
}
