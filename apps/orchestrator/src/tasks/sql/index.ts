// The task lifecycle's SQL, one file per caller: the group commit, the dispatcher's scan, the deadline sweeper,
// writes outside the group commit, the rows they return, and the connection they run on.
export * from './sql-connection';
export * from './task-rows';
export * from './task-writes';
export * from './deadline-sql';
export * from './group-commit-sql';
export * from './dispatch-sql';
