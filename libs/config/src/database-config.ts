import { checkConnectionTls } from './connection-security';
import { EnvOf, EnvRules, int, secret, text, url } from './env-schema';
import { compileEnvSchema } from './env-validator';
import { ConfigError } from './config.error';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/expert_agents';

/** The database settings: every process's, and all a migration run reads. */
export const DATABASE_ENV = {
  DATABASE_URL: url(
    `PostgreSQL (sslmode and certificate files as node-postgres reads them); if unset, the PG* variables when present, else ${DEFAULT_DATABASE_URL}.`,
    ['postgres:', 'postgresql:'],
  ),
  PGHOST: text("libpq's host, used when DATABASE_URL is unset (default 127.0.0.1)."),
  PGPORT: int("libpq's port, used when DATABASE_URL is unset.", { minimum: 1, maximum: 65535, default: 5432 }),
  PGUSER: text("libpq's user, used when DATABASE_URL is unset (default postgres)."),
  PGPASSWORD: secret("libpq's password, used when DATABASE_URL is unset."),
  PGDATABASE: text("libpq's database, used when DATABASE_URL is unset (default expert_agents)."),
  NODE_EXTRA_CA_CERTS: text(
    "Node's own: a PEM file of extra CAs (a private CA of Redis or PostgreSQL); checked readable.",
  ),
} as const;

export type DatabaseEnv = EnvOf<typeof DATABASE_ENV>;

/** DATABASE_URL wins; otherwise libpq's PG* variables; otherwise the local default. TLS parameters are checked. */
export function databaseUrl(env: DatabaseEnv, rules: EnvRules): string {
  const url = connectionUrl(env, rules);
  checkConnectionTls(rules, url, env.NODE_EXTRA_CA_CERTS);
  return url;
}

function connectionUrl(env: DatabaseEnv, rules: EnvRules): string {
  if (rules.isSet('DATABASE_URL')) return env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const { PGHOST: host, PGUSER: user, PGDATABASE: database, PGPASSWORD: password } = env;
  if (host === undefined && user === undefined && database === undefined && password === undefined) {
    return DEFAULT_DATABASE_URL;
  }
  const url = new URL('postgres://localhost');
  url.hostname = host ?? '127.0.0.1';
  url.port = String(env.PGPORT);
  url.username = encodeURIComponent(user ?? 'postgres');
  if (password !== undefined) url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(database ?? 'expert_agents')}`;
  return url.toString();
}

let checkDatabaseEnv: ReturnType<typeof compileEnvSchema> | undefined;

/**
 * The database settings alone (DATABASE_URL or PG*, sslmode and certificate files, NODE_EXTRA_CA_CERTS), for the
 * tools that only connect to PostgreSQL: the TypeORM CLI running migrations and `db:ensure`. Throws ConfigError
 * naming each bad variable; no other variable is read.
 */
export function loadDatabaseUrl(source: Record<string, string | undefined> = process.env): string {
  checkDatabaseEnv ??= compileEnvSchema(DATABASE_ENV);
  const { values, problems, given } = checkDatabaseEnv(source);
  const url = databaseUrl(values as DatabaseEnv, {
    fail: (problem) => problems.push(problem),
    isSet: (name) => given.has(name),
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return url;
}
