import { eventually } from '../transport/support/transport-harness';
import { startRegistry, RegistryUnderTest, cleanupRegistryKeys } from '../registry/registry-test-app';
import { PrivateRedis } from './support/private-redis';

jest.setTimeout(60_000);

/** /health/ready is public: it names the dependency that is down, never the driver's message (hosts, users). */
describe('readiness without driver messages', () => {
  const redis = new PrivateRedis();
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    await redis.start((_dir, port) => ['--port', String(port), '--requirepass', 'hunter2-redis']);
    await redis.ready(`redis://:hunter2-redis@127.0.0.1:${redis.port}`);
    registry = await startRegistry({ REDIS_URL: `redis://:hunter2-redis@127.0.0.1:${redis.port}` });
  });

  afterAll(async () => {
    await registry?.close();
    await cleanupRegistryKeys(registry?.prefix ?? 'none');
    await redis.destroy();
  });

  it('is ready while both dependencies answer', async () => {
    const res = await registry.call('GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('says "redis unreachable" when Redis is down, without the error, address or password', async () => {
    await redis.destroy();
    let body: unknown;
    await eventually(async () => {
      const res = await registry.call('GET', '/health/ready');
      body = res.body;
      return res.status === 503;
    }, '/health/ready answers 503');
    // The uniform error body of libs/edge; the message lists only what is down.
    expect(body).toMatchObject({ statusCode: 503, message: 'not ready: redis unreachable', path: '/health/ready' });
    const text = JSON.stringify(body);
    for (const secret of ['ECONNREFUSED', String(redis.port), 'hunter2', 'Connection', 'max retries'])
      expect(text).not.toContain(secret);
  });
});
