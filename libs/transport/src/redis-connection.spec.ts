import { parseRedisUrl, redactRedisUrl, RedisUrlError } from './redis-connection';

describe('parseRedisUrl', () => {
  it('passes single-server URLs through', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisUrl('rediss://u:p@redis.internal:6380')).toEqual({
      kind: 'single',
      url: 'rediss://u:p@redis.internal:6380',
    });
  });

  it('reads a Sentinel set: hosts, master name, credentials, db and sentinel options', () => {
    const target = parseRedisUrl(
      'redis-sentinel://app:s%40cret@10.0.0.1:26379,10.0.0.2,[::1]:26380/mymaster/3?sentinel_password=sp&tls=true',
    );
    expect(target.kind).toBe('sentinel');
    if (target.kind !== 'sentinel') return;
    expect(target.options).toMatchObject({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'mymaster',
      username: 'app',
      password: 's@cret',
      db: 3,
      sentinelPassword: 'sp',
      enableTLSForSentinelMode: true,
    });
    const reconnect = target.options.reconnectOnError as (err: Error) => unknown;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnect(new Error('ERR other'))).toBe(false);
  });

  it('reads a Redis Cluster: seed nodes (default port 6379) and credentials', () => {
    expect(parseRedisUrl('redis-cluster://u:pw@10.0.0.1:7000,10.0.0.2?tls=true')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
      ],
      options: { username: 'u', password: 'pw', tls: {} },
    });
    expect(() => parseRedisUrl('redis-cluster://h1:7000/2')).toThrow(/no database/);
  });

  it.each([
    ['http://x', /must use redis: or rediss:/],
    ['redis-sentinel://h1:26379', /must name the master/],
    ['redis-sentinel://h1:99999/m', /not host\[:port\]/],
    ['redis-sentinel://h1/m/x', /database "x"/],
    ['redis://[bad', /not a valid URL/],
  ])('refuses %s', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(RedisUrlError);
    expect(() => parseRedisUrl(url)).toThrow(message);
  });

  it('redacts passwords', () => {
    expect(redactRedisUrl('redis://user:pw@h:6379')).toBe('redis://user:***@h:6379');
    expect(redactRedisUrl('redis-sentinel://:pw@h1,h2/m')).toBe('redis-sentinel://:***@h1,h2/m');
    expect(redactRedisUrl('redis://h:6379')).toBe('redis://h:6379');
  });
});
