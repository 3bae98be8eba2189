// Processes import contracts early (e.g. through config or the agents lib), before Nest loads; the DTO modules that
// follow carry class-validator decorators, which need the Reflect metadata API when they load.
import 'reflect-metadata';

export * from './agent-id';
export * from './task-status';
export * from './workflow-status';
export * from './addresses';
export * from './patterns';
export * from './schemas/schema-check';
export * from './schemas/message-fields';
export * from './task-messages';
export * from './task-submit';
export * from './agent-messages';
export * from './capacity-keys';
export * from './task-progress';
export * from './remote-agent';
export * from './registry-api';
export * from './registry-client';
export * from './schema/json-schema';
export * from './schema/validation-issue';
export * from './workflows/workflow-paths';
export * from './workflows/workflow-definition';
export * from './workflows/workflow-definition.schema';
export * from './workflows/workflow-definition.rules';
export * from './workflows/workflow-definition.validator';
