import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Database, dataSourceOptions, initializeWithRetry } from '@app/persistence';
import { TEST_DATABASE_URL } from '../support/test-env';

/** The stores' one way to PostgreSQL, against the real server: rows always, transactions, dedicated connections. */
describe('Database', () => {
  let dataSource: DataSource;
  let db: Database;
  const table = `db_spec_${process.pid}`;

  beforeAll(async () => {
    dataSource = await initializeWithRetry(dataSourceOptions(TEST_DATABASE_URL, { poolSize: 3 }));
    db = new Database(dataSource);
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text NOT NULL)`);
  });

  afterAll(async () => {
    await db?.query(`DROP TABLE IF EXISTS ${table}`);
    await dataSource?.destroy();
  });

  beforeEach(() => db.query(`TRUNCATE ${table}`));

  it('answers rows for every statement, UPDATE and DELETE with RETURNING included', async () => {
    expect(await db.query(`INSERT INTO ${table} VALUES (1, 'a'), (2, 'b') RETURNING id`)).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
    expect(await db.query(`UPDATE ${table} SET v = 'c' WHERE id = $1 RETURNING v`, [2])).toEqual([{ v: 'c' }]);
    expect(await db.query(`DELETE FROM ${table} WHERE id = $1 RETURNING id`, [1], 'db_spec_delete')).toEqual([
      { id: 1 },
    ]);
    expect(await db.query(`UPDATE ${table} SET v = 'x' WHERE id = 99`)).toEqual([]);
  });

  it('commits the work of a transaction and hands back its result', async () => {
    const order: string[] = [];
    const result = await db.transaction(async (tx) => {
      tx.afterCommit(() => order.push('first hook'));
      tx.afterCommit(() => {
        throw new Error('a failing hook does not undo the commit');
      });
      tx.afterCommit(() => order.push('third hook'));
      await tx.query(`INSERT INTO ${table} VALUES (1, 'a')`);
      order.push('work');
      return (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
    });
    expect(result).toBe(1);
    expect(order).toEqual(['work', 'first hook', 'third hook']);
    expect(await db.query(`SELECT v FROM ${table}`)).toEqual([{ v: 'a' }]);
  });

  it('rolls back everything when the work throws, rethrows, and gives the connection back', async () => {
    let hooked = false;
    const failure = db.transaction(async (tx) => {
      tx.afterCommit(() => (hooked = true));
      await tx.query(`INSERT INTO ${table} VALUES (1, 'a')`);
      await tx.query(`INSERT INTO ${table} VALUES (1, 'duplicate')`);
    });
    await expect(failure).rejects.toMatchObject({ code: '23505' });
    expect(hooked).toBe(false);
    expect(await db.query(`SELECT * FROM ${table}`)).toEqual([]);
    // More transactions than the pool has connections: none leaked.
    for (let i = 0; i < 5; i++) await db.transaction((tx) => tx.query(`INSERT INTO ${table} VALUES ($1, 'ok')`, [i]));
    expect(await db.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 5 }]);
  });

  it('opens dedicated connections with their own settings, and reports their loss', async () => {
    const conn = await db.dedicated({ application_name: 'db-spec-dedicated', options: '-c random_page_cost=1.7' });
    const lost = new Promise<Error>((resolve) => conn.onLost(resolve));
    expect(await conn.sql.query(`SHOW random_page_cost`)).toEqual([{ random_page_cost: '1.7' }]);
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'db-spec-dedicated'`,
      );
      expect((await lost).message).toMatch(/terminat/);
    } finally {
      await admin.end();
      await conn.end();
    }
  });
});
