/** A workflow run's and a step's status, as the workflow API answers them and the workflow tables store them. */
export const WORKFLOW_RUN_STATUSES = ['running', 'input_required', 'completed', 'failed', 'canceled'] as const;
export type WorkflowRunStatus = (typeof WORKFLOW_RUN_STATUSES)[number];

export const WORKFLOW_STEP_STATUSES = [
  'running',
  'waiting_approval',
  'completed',
  'failed',
  'canceled',
  'skipped',
] as const;
export type WorkflowStepStatus = (typeof WORKFLOW_STEP_STATUSES)[number];
