/**
 * Bus addresses (Redis stream names before the transport adds its prefix and hash tag).
 * An agent's tasks go to the address equal to its agent_id.
 */
export const ORCHESTRATOR_RPC_ADDRESS = 'orchestrator';
/** Where agent hosts report task progress and outcomes. */
export const ORCHESTRATOR_RESULTS_ADDRESS = 'orchestrator.results';

/** Cancel signals travel outside the task streams so a busy agent hears them at once. */
export const CANCEL_CHANNEL = 'ea:signals:cancel';
export const cancelKey = (taskId: string): string => `ea:signals:cancel:${taskId}`;
