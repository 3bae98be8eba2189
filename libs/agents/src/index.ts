// Catalog
export * from './catalog/roles';
export * from './catalog/catalog.types';
export * from './catalog/catalog';
export * from './catalog/output-contracts';
export * from './catalog/agents-doc';
// Output kinds, validators, schemas
export * from './outputs/output-kinds';
export * from './outputs/plan.validator';
export * from './outputs/kind.validators';
export * from './outputs/output-schemas';
export * from './outputs/output-validators';
// Lifecycle
export * from './lifecycle/agent-task';
export * from './lifecycle/agent-state';
export * from './lifecycle/agent-messenger';
export * from './lifecycle/agent.errors';
export * from './lifecycle/agent';
export { DEFAULT_MAX_CONSULTATIONS_PER_TASK } from './lifecycle/consultation-limit';
// Model providers
export * from './providers/model-provider';
export * from './providers/openai.provider';
export * from './providers/anthropic.provider';
export * from './providers/scripted.provider';
export * from './providers/scripted-outputs';
export * from './providers/create-model-provider';
export * from './providers/traced-provider';
// Prices, costs and budgets
export * from './pricing/price-table';
export * from './pricing/metered-provider';
// Test kit for users (MockAgent, in-memory bus, scripted runner)
export * from './testing/mock-agent';
export * from './testing/in-memory-bus';
export * from './testing/scripted-runner';
export * from './a2a/agent-cards';
