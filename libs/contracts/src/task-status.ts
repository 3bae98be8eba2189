/** A task's lifecycle, as `task_history.status` stores it and every app reports it. */
export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'canceled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
