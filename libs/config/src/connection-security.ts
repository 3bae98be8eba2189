import { accessSync, constants } from 'node:fs';
import { EnvOf, EnvRules, secret, text } from './env-schema';

export { redactUrl } from './redact-url';

/**
 * Connection security settings: Redis ACL identities, TLS to Redis and PostgreSQL, and never printing a password.
 *
 * - REDIS_USERNAME / REDIS_PASSWORD: this process' Redis ACL user, put into REDIS_URL (the chart and compose give
 *   every workload its own; REDIS_URL then carries only the address).
 * - `rediss://` in REDIS_URL: TLS. A private CA comes from NODE_EXTRA_CA_CERTS (read by Node for every TLS client).
 * - DATABASE_URL `sslmode` (disable | prefer | require | verify-ca | verify-full | no-verify) and `sslrootcert`,
 *   `sslcert`, `sslkey` files, as node-postgres reads them.
 */

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The Redis settings of every process (redis-settings.ts puts the credentials into the URL). */
export const REDIS_ENV = {
  REDIS_URL: text(
    'One server (redis://, rediss:// for TLS) or a Sentinel set (redis-sentinel://h1:26379,h2:26379/<master>).',
    { default: DEFAULT_REDIS_URL },
  ),
  REDIS_USERNAME: text("This process' Redis ACL user, put into REDIS_URL (requires REDIS_PASSWORD).", {
    pattern: '^[A-Za-z0-9_.-]{1,64}$',
    expected: "1-64 characters of letters, digits, '_', '.', '-'",
  }),
  REDIS_PASSWORD: secret('Its password (wins over one in REDIS_URL).'),
} as const;

export type RedisEnv = EnvOf<typeof REDIS_ENV>;

const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

function readable(rules: EnvRules, name: string, path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    rules.fail(`${name} must name a readable file (got "${path}")`);
  }
}

/** Checks DATABASE_URL's TLS parameters and NODE_EXTRA_CA_CERTS up front (pg would fail only at first connect). */
export function checkConnectionTls(rules: EnvRules, databaseUrl: string, extraCa: string | undefined): void {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return; // already reported by the URL check
  }
  const mode = url.searchParams.get('sslmode');
  if (mode !== null && !SSL_MODES.includes(mode))
    rules.fail(`DATABASE_URL sslmode must be one of ${SSL_MODES.join(', ')} (got "${mode}")`);
  for (const param of ['sslrootcert', 'sslcert', 'sslkey']) {
    const path = url.searchParams.get(param);
    if (path !== null) readable(rules, `DATABASE_URL ${param}`, path);
  }
  if (extraCa !== undefined) readable(rules, 'NODE_EXTRA_CA_CERTS', extraCa);
}
