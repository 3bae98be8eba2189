import { InitialSchema1764194400000 } from './1764194400000-initial-schema';
import { OrchestratorTasksWorkflows1764205000000 } from './1764205000000-orchestrator-tasks-workflows';
import { CapacityTimeouts1765000000000 } from './1765000000000-capacity-timeouts';
import { TaskHeartbeatTimeout1765000100000 } from './1765000100000-task-heartbeat-timeout';
import { AuthKeysAudit1765200000000 } from './1765200000000-auth-keys-audit';
import { A2aTasks1765400000000 } from './1765400000000-a2a-tasks';
import { A2aPushConfigsBeforeTask1765400000001 } from './1765400000001-a2a-push-configs-before-task';
import { TraceContext1765600000000 } from './1765600000000-trace-context';
import { UsageCostBudgets1765600001000 } from './1765600001000-usage-cost-budgets';
import { Schedules1765700000000 } from './1765700000000-schedules';
import { RetentionArchive1765700100000 } from './1765700100000-retention-archive';
import { WorkflowVersions1765700200000 } from './1765700200000-workflow-versions';
import { Webhooks1765700300000 } from './1765700300000-webhooks';
import { WebhookDeadIndex1765700300001 } from './1765700300001-webhook-dead-index';

/** Every migration in order; listed explicitly so the apps and the CLI run the same set. */
export const MIGRATIONS = [
  InitialSchema1764194400000,
  OrchestratorTasksWorkflows1764205000000,
  CapacityTimeouts1765000000000,
  TaskHeartbeatTimeout1765000100000,
  AuthKeysAudit1765200000000,
  A2aTasks1765400000000,
  A2aPushConfigsBeforeTask1765400000001,
  TraceContext1765600000000,
  UsageCostBudgets1765600001000,
  Schedules1765700000000,
  RetentionArchive1765700100000,
  WorkflowVersions1765700200000,
  Webhooks1765700300000,
  WebhookDeadIndex1765700300001,
];
