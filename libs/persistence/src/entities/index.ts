import { AgentCapabilityEntity } from './agent-capability.entity';
import { AgentLoadEntity } from './agent-load.entity';
import { AgentStateEntity } from './agent-state.entity';
import { AgentEntity } from './agent.entity';
import { TaskAttemptEntity } from './task-attempt.entity';
import { TaskEventEntity } from './task-event.entity';
import { TaskHistoryEntity } from './task-history.entity';
import { WorkflowEventEntity } from './workflow-event.entity';
import { WorkflowRunEntity } from './workflow-run.entity';
import { WorkflowStepEntity } from './workflow-step.entity';

export { AgentCapabilityEntity, AgentLoadEntity, AgentStateEntity, AgentEntity, TaskHistoryEntity };
export { AGENT_STATUSES, AgentStatus } from './agent.entity';
export { TASK_STATUSES, TaskStatus } from './task-history.entity';
export { TaskAttemptEntity, TaskEventEntity, WorkflowRunEntity, WorkflowStepEntity, WorkflowEventEntity };
export { TASK_ATTEMPT_STATUSES, TaskAttemptStatus } from './task-attempt.entity';
export { WORKFLOW_RUN_STATUSES, WorkflowRunStatus } from './workflow-run.entity';
export { WORKFLOW_STEP_STATUSES, WorkflowStepStatus } from './workflow-step.entity';

/** Every entity, listed explicitly so bundled builds and the CLI see the same set. */
export const ENTITIES = [
  AgentEntity,
  AgentCapabilityEntity,
  AgentLoadEntity,
  AgentStateEntity,
  TaskHistoryEntity,
  TaskAttemptEntity,
  TaskEventEntity,
  WorkflowRunEntity,
  WorkflowStepEntity,
  WorkflowEventEntity,
];
