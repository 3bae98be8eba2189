// The tasks aggregate's store: the only way to task_history, task_attempts and task_events.
export * from './task-store';
export * from './task-change';
export * from './task-commit';
export * from './cancel-sql';
export { InsertOutcome } from './group-commit';
export { AttemptView, decodeCursor, encodeCursor, TaskView } from './task-reads';
