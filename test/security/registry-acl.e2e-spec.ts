import Redis from 'ioredis';
import { aclFile, registryAclRules } from '@app/transport';
import { uniqueRedisPrefix } from '../support/http-app';
import { nextAgentId, registration, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { eventually } from '../transport/support/transport-harness';
import { PrivateRedis } from './support/private-redis';

jest.setTimeout(60_000);

/**
 * The real registry on a Redis where it is only its ACL user (REDIS_USERNAME/REDIS_PASSWORD): registration,
 * heartbeats (Lua over its keys), events and the liveness sweep all work, and nothing else is reachable to it.
 */
describe('the registry with its own Redis ACL user', () => {
  const redis = new PrivateRedis();
  const prefix = uniqueRedisPrefix('acl');
  let registry: RegistryUnderTest;
  let admin: Redis;

  beforeAll(async () => {
    const users = aclFile([
      { name: 'registry', password: 'registry-pw', rules: registryAclRules({ registry: prefix }) },
    ]);
    await redis.start((dir, port) => ['--port', String(port), '--aclfile', `${dir}/users.acl`], {
      'users.acl': users + 'user admin on >admin-pw ~* &* +@all\n',
    });
    await redis.ready(`redis://admin:admin-pw@127.0.0.1:${redis.port}`);
    admin = new Redis(`redis://admin:admin-pw@127.0.0.1:${redis.port}`);
    registry = await startRegistry(
      {
        REDIS_URL: `redis://127.0.0.1:${redis.port}`,
        REDIS_USERNAME: 'registry',
        REDIS_PASSWORD: 'registry-pw',
        HEARTBEAT_INTERVAL_SECONDS: '1',
        HEARTBEAT_TTL_SECONDS: '2',
        HEARTBEAT_GRACE_SECONDS: '1',
        LIVENESS_SWEEP_SECONDS: '1',
      },
      prefix,
    );
  });

  afterAll(async () => {
    await registry?.close();
    admin?.disconnect();
    await redis.destroy();
  });

  it('is ready, registers, takes heartbeats and marks a silent agent offline', async () => {
    expect((await registry.call('GET', '/health/ready')).status).toBe(200);
    const agentId = nextAgentId('ACL');
    expect((await registry.call('POST', '/api/agents/register', registration(agentId))).status).toBe(200);
    const beat = await registry.call('POST', `/api/agents/${agentId}/heartbeat`, { current_tasks: 1, max_tasks: 4 });
    expect(beat.status).toBeLessThan(300);
    expect((await registry.call('GET', `/api/agents/${agentId}`)).body).toMatchObject({ status: 'online' });
    // Its freshness lives under its prefix, written by the registry user.
    expect((await admin.keys(`${prefix}*`)).length).toBeGreaterThan(0);
    await eventually(
      async () => (await registry.call('GET', `/api/agents/${agentId}`)).body.status === 'offline',
      `${agentId} marked offline by the liveness sweep`,
    );
  });

  it('cannot reach anything outside its prefix', async () => {
    const own = new Redis(`redis://registry:registry-pw@127.0.0.1:${redis.port}`, { maxRetriesPerRequest: 0 });
    try {
      await expect(own.get('ea:signals:cancel:x')).rejects.toThrow(/NOPERM/);
      await expect(own.xadd('ea:{DEV-001}:stream', '*', 'a', '1')).rejects.toThrow(/NOPERM/);
      await expect(own.publish('ea:signals:cancel', 'x')).rejects.toThrow(/NOPERM/);
    } finally {
      own.disconnect();
    }
  });
});
