import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, initializeWithRetry, isDatabaseUnavailable } from '@app/persistence';
import { TEST_DATABASE_URL } from '../support/test-env';

/**
 * A connection checked out of the pool and idle between statements, terminated by PostgreSQL (what a restart does to
 * every backend: FATAL 57P01), must not take the process down: the fault campaign saw a registry exit on exactly that.
 * Only this test's own backend is terminated; the shared server is not touched otherwise.
 */
describe('a held PostgreSQL connection terminated by the server', () => {
  let dataSource: DataSource;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await initializeWithRetry(dataSourceOptions(TEST_DATABASE_URL, { poolSize: 2 }));
    admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await dataSource?.destroy();
  });

  it('is a lost connection to whoever holds it, never an uncaught error event; the pool recovers', async () => {
    const uncaught: Error[] = [];
    const onUncaught = (error: Error) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      // Held straight from the pool, as any code path outside TypeORM's query runners gets a connection.
      const pool = (dataSource.driver as unknown as { master: Pool }).master;
      const client = await pool.connect();
      // What keeps the process alive: someone listens for the held connection's errors (an 'error' event nobody
      // listens for is thrown by Node, and in an app that is the exit the campaign saw).
      expect(client.listenerCount('error')).toBeGreaterThan(0);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      // The server's FATAL arrives while nothing runs on the connection.
      await new Promise((r) => setTimeout(r, 500));
      const next = await client.query('SELECT 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isDatabaseUnavailable(next)).toBe(true);
      client.release(true);
      expect(uncaught).toEqual([]);
      await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
