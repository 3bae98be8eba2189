import { parseRedisUrl, RedisUrlError } from '@app/transport';
import { EnvReader } from './env-reader';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** REDIS_URL: one server (redis://, rediss://) or a Sentinel set (redis-sentinel://h1:26379,h2:26379/<master>). */
export function readRedisUrl(env: EnvReader): string {
  const value = env.raw('REDIS_URL') ?? DEFAULT_REDIS_URL;
  try {
    if (parseRedisUrl(value).kind === 'cluster')
      throw new RedisUrlError(
        'names a Redis Cluster (redis-cluster://): only the transport library supports it so far',
      );
    return value;
  } catch (error) {
    if (!(error instanceof RedisUrlError)) throw error;
    env.fail(`REDIS_URL ${error.message}`);
    return DEFAULT_REDIS_URL;
  }
}
