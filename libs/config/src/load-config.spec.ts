import { ConfigError } from './config.error';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/expert_agents');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.registryPort).toBe(5100);
    expect(config.orchestratorPort).toBe(5200);
    expect(config.agentHostPort).toBe(6000);
    expect(config.registryUrl).toBe('http://127.0.0.1:5100');
    expect(config.heartbeatIntervalSeconds).toBe(30);
    expect(config.heartbeatTtlSeconds).toBe(90);
    expect(config.logLevel).toBe('info');
    expect(config.registryRedisPrefix).toBe('registry:');
  });

  it('builds the database URL from PG* variables when DATABASE_URL is absent', () => {
    const config = loadConfig({ PGHOST: 'db', PGPORT: '6543', PGUSER: 'app', PGPASSWORD: 's3cr/t', PGDATABASE: 'agents' });
    expect(config.databaseUrl).toBe('postgres://app:s3cr%2Ft@db:6543/agents');
  });

  it('prefers DATABASE_URL over PG* variables', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://x@h/db', PGHOST: 'ignored' });
    expect(config.databaseUrl).toBe('postgresql://x@h/db');
  });

  it.each([
    ['REGISTRY_PORT', 'abc', /REGISTRY_PORT must be an integer/],
    ['REGISTRY_PORT', '70000', /REGISTRY_PORT must be between 1 and 65535/],
    ['REDIS_URL', 'http://x', /REDIS_URL must use redis: or rediss:/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL must be a URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['REGISTRY_REDIS_PREFIX', 'has space', /REGISTRY_REDIS_PREFIX must be 1-64 characters/],
    ['HEARTBEAT_TTL_SECONDS', '10', /HEARTBEAT_TTL_SECONDS \(10\) must be greater than HEARTBEAT_INTERVAL_SECONDS/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ REGISTRY_PORT: 'x', ORCHESTRATOR_PORT: '0' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});
