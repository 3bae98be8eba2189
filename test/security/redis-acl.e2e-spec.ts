import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import Redis from 'ioredis';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { aclFile, agentHostAclRules, orchestratorAclRules, RedisStreamsClient, registryAclRules } from '@app/transport';
import { attemptClaimKey } from '@app/contracts';
import { eventually, RunningServer, startMicroservice } from '../transport/support/transport-harness';
import { PrivateRedis } from './support/private-redis';

const received: string[] = [];

@Controller()
class QaController {
  @EventPattern('job.run')
  run(@Payload() p: { id: string }): void {
    received.push(p.id);
  }

  @MessagePattern('job.ask')
  ask(@Payload() p: { q: string }): { a: string } {
    return { a: `answer to ${p.q}` };
  }
}

jest.setTimeout(60_000);

/**
 * The ACL users of libs/transport/src/redis-acl.ts (the ones compose and the chart ship) on a private redis-server:
 * a host bound to QA-* does its own work and is refused (NOPERM) everything of other agents it must not touch.
 */
describe('Redis ACL users per component', () => {
  const redis = new PrivateRedis();
  const users = [
    { name: 'orchestrator', password: 'orchestrator-pw', rules: orchestratorAclRules() },
    { name: 'registry', password: 'registry-pw', rules: registryAclRules() },
    { name: 'agents-qa', password: 'qa-pw', rules: agentHostAclRules(['QA-001', 'QA-002']) },
    { name: 'agents-dev', password: 'dev-pw', rules: agentHostAclRules(['DEV-001']) },
  ];
  const url = (user: string, password: string) => `redis://${user}:${password}@127.0.0.1:${redis.port}`;
  const connections: Redis[] = [];
  const connect = (user: string, password: string): Redis => {
    const c = new Redis(url(user, password), { maxRetriesPerRequest: 0 });
    connections.push(c);
    return c;
  };
  let admin: Redis;
  let qa: Redis;
  let host: RunningServer;
  let orchestrator: RedisStreamsClient;
  let hostClient: RedisStreamsClient;

  beforeAll(async () => {
    // The shipped users plus an admin for the test's own set-up; `default` is off, as in compose.
    const file = aclFile(users) + 'user admin on >admin-pw ~* &* +@all\n';
    await redis.start((dir) => ['--port', String(redis.port), '--aclfile', `${dir}/users.acl`], { 'users.acl': file });
    await redis.ready(url('admin', 'admin-pw'));
    admin = connect('admin', 'admin-pw');
    qa = connect('agents-qa', 'qa-pw');
    host = await startMicroservice([QaController], {
      url: url('agents-qa', 'qa-pw'),
      addresses: [{ address: 'QA-001', concurrency: 2 }],
      consumerName: 'qa-host-1',
      broadcast: true,
    });
    orchestrator = new RedisStreamsClient({
      url: url('orchestrator', 'orchestrator-pw'),
      requestTimeoutMs: 5_000,
      blockMs: 100,
    });
    hostClient = new RedisStreamsClient({ url: url('agents-qa', 'qa-pw'), requestTimeoutMs: 5_000, blockMs: 100 });
  });

  afterAll(async () => {
    await orchestrator?.close();
    await hostClient?.close();
    await host?.app.close();
    for (const c of connections) c.disconnect();
    await redis.destroy();
  });

  it('refuses the default user: no anonymous access', async () => {
    const anonymous = new Redis(`redis://127.0.0.1:${redis.port}`, {
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      enableReadyCheck: false,
      retryStrategy: () => null,
    });
    anonymous.on('error', () => undefined);
    await anonymous.connect().catch(() => undefined);
    await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
  });

  it("the QA host consumes its own agent's work and answers requests with its own user", async () => {
    await lastValueFrom(orchestrator.to('QA-001').emit('job.run', { id: 'task-1' }));
    await eventually(() => received.includes('task-1'), 'QA-001 handled task-1');
    const reply = await firstValueFrom(orchestrator.to('QA-001').send<{ a: string }>('job.ask', { q: 'ping' }));
    expect(reply).toEqual({ a: 'answer to ping' });
    // Everything was acknowledged by the host user (XACK on its own stream).
    await eventually(async () => {
      const pending = (await admin.xpending('ea:{QA-001}:stream', 'workers')) as [number, ...unknown[]];
      return pending[0] === 0;
    }, 'no pending entries on QA-001');
  });

  it('the QA host may send to other agents and to the orchestrator (XADD only)', async () => {
    await lastValueFrom(hostClient.to('DEV-001').emit('agent.message', { text: 'hello' }));
    await lastValueFrom(hostClient.to('orchestrator.results').emit('task.result', { task_id: 't' }));
    expect(await admin.xlen('ea:{DEV-001}:stream')).toBe(1);
    expect(await admin.xlen('ea:{orchestrator.results}:stream')).toBe(1);
  });

  it("gets NOPERM reading, consuming or deleting another agent's stream", async () => {
    await admin.xgroup('CREATE', 'ea:{DEV-001}:stream', 'workers', '0', 'MKSTREAM');
    await expect(
      qa.xreadgroup('GROUP', 'workers', 'qa-host-1', 'COUNT', 1, 'STREAMS', 'ea:{DEV-001}:stream', '>'),
    ).rejects.toThrow(/NOPERM/);
    await expect(qa.xrange('ea:{DEV-001}:stream', '-', '+')).rejects.toThrow(/NOPERM/);
    await expect(qa.xgroup('CREATE', 'ea:{DEV-001}:stream', 'stolen', '0')).rejects.toThrow(/NOPERM/);
    await expect(qa.xautoclaim('ea:{DEV-001}:stream', 'workers', 'qa', 0, '0')).rejects.toThrow(/NOPERM/);
    await expect(qa.xrange('ea:{DEV-001}:dlq', '-', '+')).rejects.toThrow(/NOPERM/);
    await expect(qa.del('ea:{DEV-001}:stream')).rejects.toThrow(/NOPERM/);
    await expect(qa.xtrim('ea:{DEV-001}:stream', 'MAXLEN', 0)).rejects.toThrow(/NOPERM/);
    await expect(qa.xdel('ea:{DEV-001}:stream', '0-1')).rejects.toThrow(/NOPERM/);
    // Its own stream reads fine with the same commands.
    await expect(qa.xrange('ea:{QA-002}:stream', '-', '+')).resolves.toEqual([]);
    // The DEV host, for contrast, consumes DEV-001.
    const dev = connect('agents-dev', 'dev-pw');
    const entries = (await dev.xreadgroup(
      'GROUP', 'workers', 'dev-host-1', 'COUNT', 10, 'STREAMS', 'ea:{DEV-001}:stream', '>',
    )) as [string, unknown[]][]; // prettier-ignore
    expect(entries[0][1]).toHaveLength(1);
  });

  it('keeps hosts out of the registry, the admin commands and foreign channels', async () => {
    await expect(qa.get('registry:freshness')).rejects.toThrow(/NOPERM/);
    await expect(qa.publish('registry:events', 'x')).rejects.toThrow(/NOPERM/);
    await expect(qa.flushall()).rejects.toThrow(/NOPERM/);
    await expect(qa.config('GET', 'requirepass')).rejects.toThrow(/NOPERM/);
    await expect(qa.acl('LIST')).rejects.toThrow(/NOPERM/);
    await expect(qa.keys('*')).rejects.toThrow(/NOPERM/);
    // Cancel flags are readable.
    await admin.set('ea:signals:cancel:t1', '1');
    expect(await qa.exists('ea:signals:cancel:t1')).toBe(1);
    await expect(qa.set('ea:signals:cancel:t2', '1')).rejects.toThrow(/NOPERM/);
    // Attempt claims: its own agents' only (a host can not block another agent's attempts by claiming them first).
    const mine = attemptClaimKey('QA-001', 't1', 1);
    await expect(qa.set(mine, '1-0', 'PX', 60_000, 'NX', 'GET')).resolves.toBeNull();
    await expect(qa.set(mine, '2-0', 'PX', 60_000, 'NX', 'GET')).resolves.toBe('1-0');
    await expect(qa.set(attemptClaimKey('DEV-001', 't1', 1), '1-0', 'PX', 60_000, 'NX', 'GET')).rejects.toThrow(
      /NOPERM/,
    );
  });

  it('gives the registry its own keys only and the orchestrator the bus but not the registry', async () => {
    const registry = connect('registry', 'registry-pw');
    await registry.hset('registry:max', 'DEV-001', '3');
    expect(await registry.hget('registry:max', 'DEV-001')).toBe('3');
    expect(await registry.eval("return redis.call('HGET', KEYS[1], ARGV[1])", 1, 'registry:max', 'DEV-001')).toBe('3');
    await expect(registry.xrange('ea:{QA-001}:stream', '-', '+')).rejects.toThrow(/NOPERM/);
    await expect(registry.flushdb()).rejects.toThrow(/NOPERM/);
    const orch = connect('orchestrator', 'orchestrator-pw');
    await expect(orch.hget('registry:max', 'DEV-001')).rejects.toThrow(/NOPERM/);
    await expect(orch.xrange('ea:{QA-001}:stream', '-', '+')).resolves.toBeDefined();
    await expect(orch.set('ea:signals:cancel:t3', '1', 'EX', 60)).resolves.toBe('OK');
    await expect(orch.flushall()).rejects.toThrow(/NOPERM/);
  });
});
