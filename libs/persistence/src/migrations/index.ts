import { InitialSchema1764194400000 } from './1764194400000-initial-schema';
import { OrchestratorTasksWorkflows1764205000000 } from './1764205000000-orchestrator-tasks-workflows';
import { A2aTasks1765400000000 } from './1765400000000-a2a-tasks';
import { A2aPushConfigsBeforeTask1765400000001 } from './1765400000001-a2a-push-configs-before-task';

/** Every migration in order; listed explicitly so the apps and the CLI run the same set. */
export const MIGRATIONS = [
  InitialSchema1764194400000,
  OrchestratorTasksWorkflows1764205000000,
  A2aTasks1765400000000,
  A2aPushConfigsBeforeTask1765400000001,
];
