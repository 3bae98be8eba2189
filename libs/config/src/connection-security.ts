import { accessSync, constants } from 'node:fs';
import { EnvReader } from './env-reader';
import { readRedisUrl } from './redis-settings';

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

const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

function readable(env: EnvReader, name: string, path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    env.fail(`${name} must name a readable file (got "${path}")`);
  }
}

/** REDIS_URL with REDIS_USERNAME/REDIS_PASSWORD applied (they win over credentials in the URL). */
export function redisConnectionUrl(env: EnvReader): string {
  const base = readRedisUrl(env); // one server or a Sentinel set, validated
  const username = env.optionalString('REDIS_USERNAME');
  const password = env.optionalString('REDIS_PASSWORD');
  if (username === undefined && password === undefined) return base;
  if (username !== undefined && password === undefined)
    env.fail('REDIS_PASSWORD is required when REDIS_USERNAME is set');
  if (username !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(username))
    env.fail(`REDIS_USERNAME must be 1-64 characters of letters, digits, '_', '.', '-' (got "${username}")`);
  // Textually, so a Sentinel URL's host list (h1:26379,h2:26379) needs no URL parser.
  // They win over credentials in the URL.
  const at = base.indexOf('://') + 3;
  const authority = base.slice(at).split('/')[0];
  const rest = base.slice(at + authority.length);
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  return `${base.slice(0, at)}${encodeURIComponent(username ?? '')}:${encodeURIComponent(password ?? '')}@${hosts}${rest}`;
}

/** Checks DATABASE_URL's TLS parameters and NODE_EXTRA_CA_CERTS up front (pg would fail only at first connect). */
export function checkConnectionTls(env: EnvReader, databaseUrl: string): void {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return; // already reported by the URL check
  }
  const mode = url.searchParams.get('sslmode');
  if (mode !== null && !SSL_MODES.includes(mode))
    env.fail(`DATABASE_URL sslmode must be one of ${SSL_MODES.join(', ')} (got "${mode}")`);
  for (const param of ['sslrootcert', 'sslcert', 'sslkey']) {
    const path = url.searchParams.get(param);
    if (path !== null) readable(env, `DATABASE_URL ${param}`, path);
  }
  const extraCa = env.optionalString('NODE_EXTRA_CA_CERTS');
  if (extraCa !== undefined) readable(env, 'NODE_EXTRA_CA_CERTS', extraCa);
}
