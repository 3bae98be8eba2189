import { parseRedisUrl, RedisUrlError } from './redis-url';
import type { EnvRules } from './env-schema';
import { DEFAULT_REDIS_URL, RedisEnv } from './connection-security';

/** REDIS_URL: one server (redis://, rediss://) or a Sentinel set, parsed by the transport's own parser. */
export function readRedisUrl(env: RedisEnv, rules: EnvRules): string {
  try {
    if (parseRedisUrl(env.REDIS_URL).kind === 'cluster')
      throw new RedisUrlError(
        'names a Redis Cluster (redis-cluster://): only the transport library supports it so far',
      );
    return env.REDIS_URL;
  } catch (error) {
    if (!(error instanceof RedisUrlError)) throw error;
    rules.fail(`REDIS_URL ${error.message}`);
    return DEFAULT_REDIS_URL;
  }
}

/** REDIS_URL with REDIS_USERNAME/REDIS_PASSWORD applied (they win over credentials in the URL). */
export function redisConnectionUrl(env: RedisEnv, rules: EnvRules): string {
  const base = readRedisUrl(env, rules); // one server or a Sentinel set, validated
  // REDIS_USERNAME's characters are checked by its schema (REDIS_ENV, connection-security.ts).
  const username = rules.isSet('REDIS_USERNAME') ? (env.REDIS_USERNAME ?? '') : undefined;
  const password = env.REDIS_PASSWORD;
  if (username === undefined && password === undefined) return base;
  if (username !== undefined && password === undefined)
    rules.fail('REDIS_PASSWORD is required when REDIS_USERNAME is set');
  // Textually, so a Sentinel URL's host list (h1:26379,h2:26379) needs no URL parser.
  // They win over credentials in the URL.
  const at = base.indexOf('://') + 3;
  const authority = base.slice(at).split('/')[0];
  const rest = base.slice(at + authority.length);
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  return `${base.slice(0, at)}${encodeURIComponent(username ?? '')}:${encodeURIComponent(password ?? '')}@${hosts}${rest}`;
}
