// The connection the statements run on: the task store's transaction or group-commit lane (@app/persistence).
export type { Sql } from '@app/persistence';
