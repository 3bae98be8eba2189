/**
 * Creates the database named in DATABASE_URL when it does not exist yet (a fresh laptop or CI),
 * connecting to the server's `postgres` maintenance database. Idempotent.
 */
import { Client } from 'pg';
import { loadDatabaseUrl } from '@app/config';

async function main(): Promise<void> {
  const target = new URL(loadDatabaseUrl(process.env));
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(target.toString());
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      process.stderr.write(`created database ${name}\n`);
    }
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ensure-database: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
