import { Client } from 'pg';
import Redis from 'ioredis';
import { createRedis } from '@app/transport';
import { errorMessage, isDatabaseUnavailable } from '@app/persistence';

export type DependencyName = 'database' | 'redis';

export interface ProbeResult {
  /** What is still unreachable, with why. Empty when everything answered. */
  down: Partial<Record<DependencyName, string>>;
}

const PROBE_TIMEOUT_MS = 2_000;

/** One connection attempt to PostgreSQL; throws when the failure is not an outage (bad credentials, no database). */
async function probeDatabase(databaseUrl: string): Promise<string | null> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined); // a dropped probe connection is only a failed probe
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    return errorMessage(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(redis: Redis): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return null;
  } catch (error) {
    return errorMessage(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Probes PostgreSQL and Redis with short-lived connections (one Redis connection kept across probes). */
export class DependencyProbe {
  private readonly redis: Redis;

  constructor(
    private readonly databaseUrl: string,
    redisUrl: string,
  ) {
    this.redis = createRedis(redisUrl, {
      connectionName: 'expert-agents-startup-probe',
      maxRetriesPerRequest: 0,
      lazyConnect: false,
      retryStrategy: () => 500,
    });
    this.redis.on('error', () => undefined); // reported through probe results
  }

  async probe(): Promise<ProbeResult> {
    const [database, redis] = await Promise.all([probeDatabase(this.databaseUrl), probeRedis(this.redis)]);
    const down: ProbeResult['down'] = {};
    if (database) down.database = database;
    if (redis) down.redis = redis;
    return { down };
  }

  close(): void {
    this.redis.disconnect();
  }
}
