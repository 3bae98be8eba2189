/** What every benchmark needs before it measures: a fresh migrated database and free ports. */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/persistence';

/** Drops and recreates the database named in `databaseUrl`, then applies every migration. */
export async function freshDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const ds = new DataSource(dataSourceOptions(databaseUrl));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port in [from, from + 10,000), outside Linux's ephemeral range, so no test app listening
 * on port 0 takes it meanwhile.
 */
export async function freePort(from: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * 10_000);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${from}-${from + 9_999}`);
}

/**
 * The node arguments that start an app from its build, as `npm run start:<app>` does: benchmarks
 * measure what production runs, not ts-node (whose require hook and source-map stack traces cost
 * time on every request). The bench:* npm scripts build first; a missing build is named here.
 */
export function builtApp(root: string, app: 'registry' | 'orchestrator' | 'agent-host'): string[] {
  const entry = join(root, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  return [entry];
}
