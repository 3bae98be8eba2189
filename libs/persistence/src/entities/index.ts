import { AgentCapabilityEntity } from './agent-capability.entity';
import { AgentLoadEntity } from './agent-load.entity';
import { AgentStateEntity } from './agent-state.entity';
import { AgentEntity } from './agent.entity';
import { TaskHistoryEntity } from './task-history.entity';

export { AgentCapabilityEntity, AgentLoadEntity, AgentStateEntity, AgentEntity, TaskHistoryEntity };
export { AGENT_STATUSES, AgentStatus } from './agent.entity';
export { TASK_STATUSES, TaskStatus } from './task-history.entity';

/** Every entity, listed explicitly so bundled builds and the CLI see the same set. */
export const ENTITIES = [AgentEntity, AgentCapabilityEntity, AgentLoadEntity, AgentStateEntity, TaskHistoryEntity];
