import { InitialSchema1764194400000 } from './1764194400000-initial-schema';
import { OrchestratorTasksWorkflows1764205000000 } from './1764205000000-orchestrator-tasks-workflows';
import { TraceContext1765600000000 } from './1765600000000-trace-context';
import { UsageCostBudgets1765600001000 } from './1765600001000-usage-cost-budgets';

/** Every migration in order; listed explicitly so the apps and the CLI run the same set. */
export const MIGRATIONS = [
  InitialSchema1764194400000,
  OrchestratorTasksWorkflows1764205000000,
  TraceContext1765600000000,
  UsageCostBudgets1765600001000,
];
