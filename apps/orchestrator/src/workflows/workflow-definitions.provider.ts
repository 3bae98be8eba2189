import { Provider } from '@nestjs/common';
import { AGENT_CATALOG, AGENT_ROLES, ALL_CAPABILITIES } from '@app/agents';
import { APP_CONFIG, AppConfig } from '@app/config';
import { loadDefinitions } from './definition/definition-loader';
import { KnownAgents, WorkflowDefinition } from '@app/contracts';

export const WORKFLOW_DEFINITIONS = Symbol('WORKFLOW_DEFINITIONS');
export type WorkflowDefinitions = Map<string, WorkflowDefinition>;

export function knownAgents(): KnownAgents {
  return {
    roles: new Set(AGENT_ROLES),
    capabilities: ALL_CAPABILITIES,
    agentIds: new Set(AGENT_CATALOG.map((a) => a.agent_id)),
  };
}

/** Loaded and validated once at start-up; a bad file throws WorkflowDefinitionError and the app does not start. */
export const workflowDefinitionsProvider: Provider = {
  provide: WORKFLOW_DEFINITIONS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): WorkflowDefinitions =>
    loadDefinitions(config.orchestrator.workflowsDir, knownAgents()),
};
