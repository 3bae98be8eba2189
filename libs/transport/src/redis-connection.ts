import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import { parseRedisUrl, RedisUrlError } from '@app/config';

// REDIS_URL's grammar lives with the settings that validate it (@app/config); the transport connects to what it names.
export { parseRedisUrl, RedisTarget, RedisUrlError } from '@app/config';

/** A connection of the transport: one server or Sentinel-managed master (Redis), or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

/** The URL with any password replaced, for logs and error messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_m, userinfo: string) => `//${userinfo.split(':')[0]}:***@`);
}

/**
 * The one way every app creates an ioredis connection: a single server or a Sentinel set from REDIS_URL, with the
 * caller's options (connection name, retry strategy) on top. Reconnects forever unless the caller says otherwise.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const target = parseRedisUrl(url);
  const forever: RedisOptions = { retryStrategy: (times) => Math.min(times * 200, 2_000) };
  if (target.kind === 'single') return new Redis(url, { ...forever, ...options });
  if (target.kind === 'cluster')
    throw new RedisUrlError('a Redis Cluster (redis-cluster://) is supported by the transport only, not here');
  return new Redis({ ...forever, ...target.options, ...options });
}

/** Like createRedis, and also a Redis Cluster (`redis-cluster://`): what the transport connects with. */
export function createRedisConnection(url: string, options: RedisOptions = {}): RedisConnection {
  const target = parseRedisUrl(url);
  if (target.kind !== 'cluster') return createRedis(url, options);
  const { enableAutoPipelining, retryStrategy, ...redisOptions } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...target.options, ...redisOptions },
    enableAutoPipelining,
    // Reconnect forever, like a single server (ioredis' default gives up on the cluster after the first failure).
    clusterRetryStrategy: (times) => (retryStrategy ? (retryStrategy(times) ?? 2_000) : Math.min(times * 200, 2_000)),
    enableOfflineQueue: true,
  };
  return new Cluster(target.nodes, clusterOptions);
}

/** A second connection like `connection` (blocking reads need their own). */
export function duplicateConnection(connection: RedisConnection, options: RedisOptions): RedisConnection {
  if (connection instanceof Cluster) {
    const { enableAutoPipelining, ...redisOptions } = options;
    return connection.duplicate(undefined, {
      redisOptions: { ...connection.options.redisOptions, ...redisOptions },
      ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
    });
  }
  return connection.duplicate(options);
}
