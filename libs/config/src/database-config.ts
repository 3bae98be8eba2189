import { checkConnectionTls } from './connection-security';
import { EnvReader } from './env-reader';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/expert_agents';

/** DATABASE_URL wins; otherwise libpq's PG* variables; otherwise the local default. TLS parameters are checked. */
export function databaseUrl(env: EnvReader): string {
  const url = connectionUrl(env);
  checkConnectionTls(env, url);
  return url;
}

function connectionUrl(env: EnvReader): string {
  const explicit = env.optionalString('DATABASE_URL');
  if (explicit !== undefined) return env.url('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:']);
  const host = env.optionalString('PGHOST');
  const user = env.optionalString('PGUSER');
  const database = env.optionalString('PGDATABASE');
  const password = env.optionalString('PGPASSWORD');
  if (host === undefined && user === undefined && database === undefined && password === undefined) {
    return DEFAULT_DATABASE_URL;
  }
  const port = env.int('PGPORT', 5432, 1, 65535);
  const url = new URL('postgres://localhost');
  url.hostname = host ?? '127.0.0.1';
  url.port = String(port);
  url.username = encodeURIComponent(user ?? 'postgres');
  if (password !== undefined) url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(database ?? 'expert_agents')}`;
  return url.toString();
}

/**
 * The database settings alone (DATABASE_URL or PG*, sslmode and certificate files, NODE_EXTRA_CA_CERTS), for the
 * tools that only connect to PostgreSQL: the TypeORM CLI running migrations and `db:ensure`. Throws ConfigError
 * naming each bad variable; no other variable is read.
 */
export function loadDatabaseUrl(source: Record<string, string | undefined> = process.env): string {
  const env = new EnvReader(source);
  const url = databaseUrl(env);
  env.done();
  return url;
}
