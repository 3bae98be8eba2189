import type { ClientBase, PoolClient } from 'pg';
import { QueryRunner } from 'typeorm';

/**
 * The multi-row statements of the task lifecycle. Each takes a whole batch as one JSON parameter
 * (jsonb_to_recordset), changes only rows still in the expected state (so duplicates and late
 * messages of superseded attempts change nothing), and writes the event row of every change in
 * the same statement. Callers run them inside their transaction.
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, values: unknown[], name?: string): Promise<T[]>;
}

/**
 * The transaction's own pg connection. Named statements are prepared once per connection, so the
 * hot statements are not planned again on every commit (planning them costs more than running them).
 */
export async function sqlOf(runner: QueryRunner): Promise<Sql> {
  return sqlOn((await runner.connect()) as PoolClient);
}

/** The same over any pg connection (a pooled client or one of the history writer's own). */
export function sqlOn(client: Pick<ClientBase, 'query'>): Sql {
  return {
    query: async <T>(text: string, values: unknown[], name?: string) =>
      (await client.query(name ? { name, text, values } : { text, values })).rows as T[],
  };
}
