import type { RedisOptions } from 'ioredis';

/**
 * What REDIS_URL names: one server (`redis://`, `rediss://`, as ioredis reads them) or a Sentinel set,
 * `redis-sentinel://[user:password@]host1:26379,host2:26379/<master name>[/<db>][?sentinel_password=…&tls=true]`.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'sentinel'; options: RedisOptions & { sentinels: Array<{ host: string; port: number }>; name: string } }
  | { kind: 'cluster'; nodes: Array<{ host: string; port: number }>; options: RedisOptions };

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
