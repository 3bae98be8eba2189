import type { PoolClient } from 'pg';
import { QueryRunner } from 'typeorm';
import { Sql, sqlOn } from '@app/persistence';

export { Sql, sqlOn };

/** The transaction's own pg connection (named statements are prepared once per connection). */
export async function sqlOf(runner: QueryRunner): Promise<Sql> {
  return sqlOn((await runner.connect()) as PoolClient);
}
