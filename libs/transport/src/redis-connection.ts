import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';

/**
 * What REDIS_URL names: one server (`redis://`, `rediss://`, as ioredis reads them) or a Sentinel set,
 * `redis-sentinel://[user:password@]host1:26379,host2:26379/<master name>[/<db>][?sentinel_password=…&tls=true]`.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'sentinel'; options: RedisOptions & { sentinels: Array<{ host: string; port: number }>; name: string } }
  | { kind: 'cluster'; nodes: Array<{ host: string; port: number }>; options: RedisOptions };

/** A connection of the transport: one server or Sentinel-managed master (Redis), or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

export class RedisUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUrlError';
  }
}

const SENTINEL_PROTOCOL = 'redis-sentinel:';
const CLUSTER_PROTOCOL = 'redis-cluster:';

function parseHostList(list: string, defaultPort: number): Array<{ host: string; port: number }> {
  return list.split(',').map((part) => {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(part.trim());
    const port = Number(match?.[2] ?? defaultPort);
    if (!match || port < 1 || port > 65535) throw new RedisUrlError(`"${part}" is not host[:port]`);
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });
}

/** Parses REDIS_URL; throws RedisUrlError naming what is wrong. */
export function parseRedisUrl(url: string): RedisTarget {
  const protocol = /^([a-z-]+:)\/\//i.exec(url)?.[1]?.toLowerCase();
  if (protocol === 'redis:' || protocol === 'rediss:') {
    try {
      new URL(url);
    } catch {
      throw new RedisUrlError(`"${url}" is not a valid URL`);
    }
    return { kind: 'single', url };
  }
  if (protocol === CLUSTER_PROTOCOL) return parseCluster(url);
  if (protocol !== SENTINEL_PROTOCOL)
    throw new RedisUrlError(
      `must use redis: or rediss: (one server) or redis-sentinel: (a Sentinel set) (got "${protocol ?? url}")`,
    );
  // WHATWG URL cannot hold a host list, so the authority is split by hand.
  const rest = url.slice(SENTINEL_PROTOCOL.length + 2);
  const [beforeQuery, query = ''] = rest.split('?', 2);
  const slash = beforeQuery.indexOf('/');
  const authority = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const path = slash < 0 ? '' : beforeQuery.slice(slash + 1);
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at);
  const sentinels = parseHostList(at < 0 ? authority : authority.slice(at + 1), 26379);
  const [name, db] = path.split('/').filter(Boolean);
  if (!name)
    throw new RedisUrlError('a redis-sentinel:// URL must name the master: redis-sentinel://host:26379/<name>');
  if (db !== undefined && !/^\d{1,2}$/.test(db)) throw new RedisUrlError(`database "${db}" is not a number`);
  const [user, password] = userinfo ? userinfo.split(':', 2).map(decodeURIComponent) : [];
  const params = new URLSearchParams(query);
  const tls = params.get('tls') === 'true';
  return {
    kind: 'sentinel',
    options: {
      sentinels,
      name,
      ...(user ? { username: user } : {}),
      ...(password ? { password } : {}),
      ...(db ? { db: Number(db) } : {}),
      ...(params.get('sentinel_password') ? { sentinelPassword: params.get('sentinel_password')! } : {}),
      ...(params.get('sentinel_username') ? { sentinelUsername: params.get('sentinel_username')! } : {}),
      ...(tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      // After a failover the old master answers READONLY until ioredis asks the sentinels again: reconnect.
      reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
    },
  };
}

/**
 * `redis-cluster://[user:password@]host1:6379,host2:6379[?tls=true]`: seed nodes of a Redis Cluster. Only the transport
 * (RedisStreamsServer/Client) takes it; the apps' REDIS_URL does not yet (see README, Redis high availability).
 */
function parseCluster(url: string): RedisTarget {
  const rest = url.slice(CLUSTER_PROTOCOL.length + 2);
  const [beforeQuery, query = ''] = rest.split('?', 2);
  const authority = beforeQuery.replace(/\/+$/, '');
  if (authority.includes('/'))
    throw new RedisUrlError('a redis-cluster:// URL has no database or path (a Cluster has db 0 only)');
  const at = authority.lastIndexOf('@');
  const nodes = parseHostList(at < 0 ? authority : authority.slice(at + 1), 6379);
  const [user, password] = at < 0 ? [] : authority.slice(0, at).split(':', 2).map(decodeURIComponent);
  const tls = new URLSearchParams(query).get('tls') === 'true';
  return {
    kind: 'cluster',
    nodes,
    options: { ...(user ? { username: user } : {}), ...(password ? { password } : {}), ...(tls ? { tls: {} } : {}) },
  };
}

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
