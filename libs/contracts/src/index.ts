// The message classes carry class-validator/-transformer decorators, which need the Reflect metadata API when
// their modules load; a process may import contracts (e.g. through config or the agents lib) before Nest loads it.
import 'reflect-metadata';

export * from './agent-id';
export * from './task-status';
export * from './workflow-status';
export * from './addresses';
export * from './patterns';
export * from './fast-checks';
export * from './task-messages';
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
