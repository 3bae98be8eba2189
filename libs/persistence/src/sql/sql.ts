import type { ClientBase } from 'pg';

/**
 * The one way stores run SQL: rows back, always (TypeORM's `query` answers UPDATE/DELETE with
 * `[rows, count]` instead). `name` prepares the statement once per connection, so a hot statement
 * is not planned again on every call. A transaction's work gets one of these for its connection.
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, values?: unknown[], name?: string): Promise<T[]>;
}

/** An Sql over any pg connection or pool. */
export function sqlOn(client: Pick<ClientBase, 'query'>): Sql {
  return {
    query: async <T>(text: string, values: unknown[] = [], name?: string) =>
      (await client.query(name ? { name, text, values } : { text, values })).rows as T[],
  };
}
