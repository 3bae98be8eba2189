import { randomUUID } from 'node:crypto';
import { aclFile, agentHostAclRules, orchestratorAclRules, registryAclRules } from '@app/transport';
import { uniqueRedisPrefix } from '../support/http-app';
import { RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import {
  call,
  forgetAgents,
  HostUnderTest,
  ResultsReader,
  startHost,
  TaskSender,
  uniqueTransportPrefix,
  waitFor,
} from '../agent-host/support/agent-host-harness';
import { Started, startOrchestrator, systemEnv } from '../orchestrator/support/system';
import { PrivateRedis } from './support/private-redis';

jest.setTimeout(90_000);

/**
 * The whole path with one Redis user per component, as compose and the chart run it: the orchestrator's user sends a
 * task to QA-001, the real agent host (its own user, bound to QA-001) executes it and reports to the orchestrator's
 * results stream, the real registry (its own user) keeps it registered.
 */
describe('registry, agent host and orchestrator each on their own Redis ACL user', () => {
  const redis = new PrivateRedis();
  const transport = uniqueTransportPrefix();
  const registryPrefix = uniqueRedisPrefix('aclhost');
  const users = [
    { name: 'orchestrator', password: 'o-pw', rules: orchestratorAclRules({ transport }) },
    { name: 'registry', password: 'r-pw', rules: registryAclRules({ registry: registryPrefix }) },
    { name: 'agents-qa', password: 'qa-pw', rules: agentHostAclRules(['QA-001'], { transport }) },
  ];
  const url = (user?: string, password?: string) =>
    user ? `redis://${user}:${password}@127.0.0.1:${redis.port}` : `redis://127.0.0.1:${redis.port}`;
  let registry: RegistryUnderTest;
  let host: HostUnderTest;
  let sender: TaskSender;
  let results: ResultsReader;
  let orchestrator: Started;

  beforeAll(async () => {
    await forgetAgents(['QA-001']);
    await redis.start((dir, port) => ['--port', String(port), '--aclfile', `${dir}/users.acl`], {
      'users.acl': aclFile(users),
    });
    await redis.ready(url('orchestrator', 'o-pw'));
    registry = await startRegistry(
      { REDIS_URL: url(), REDIS_USERNAME: 'registry', REDIS_PASSWORD: 'r-pw' },
      registryPrefix,
    );
    host = await startHost({
      AGENT_IDS: 'QA-001',
      REGISTRY_URL: registry.baseUrl,
      TRANSPORT_KEY_PREFIX: transport,
      AGENT_HOST_INSTANCE_ID: `acl-${randomUUID().slice(0, 8)}`,
      REDIS_URL: url(),
      REDIS_USERNAME: 'agents-qa',
      REDIS_PASSWORD: 'qa-pw',
    });
    sender = new TaskSender(transport, url('orchestrator', 'o-pw'));
    results = new ResultsReader(transport, url('orchestrator', 'o-pw'));
  });

  afterAll(async () => {
    await orchestrator?.close();
    await host?.close();
    await registry?.close();
    await sender?.close();
    await results?.close();
    await redis.destroy();
  });

  it('the host is registered and ready on its own user', async () => {
    const agent = await waitFor('QA-001 registered by the host', async () => {
      const res = await registry.call('GET', '/api/agents/QA-001');
      return res.status === 200 ? res.body : undefined;
    });
    expect(agent).toMatchObject({ agent_id: 'QA-001', status: 'online' });
    expect((await call(host.baseUrl, 'GET', '/health/ready')).status).toBe(200);
  });

  it('executes a task sent by the orchestrator user and reports the result to it', async () => {
    const task = await sender.execute('QA-001', { title: 'review the login form', input: { topic: 'login' } });
    const result = await results.result(task.task_id, 30_000);
    expect(result.from_agent).toBe('QA-001');
    expect(result.payload).toMatchObject({ task_id: task.task_id, agent_id: 'QA-001', status: 'completed' });
  });

  it('runs the real orchestrator on its user (Nest Redis transport on): a task over HTTP completes on QA-001', async () => {
    orchestrator = await startOrchestrator({
      ...systemEnv(registry.baseUrl, transport),
      ORCHESTRATOR_NEST_REDIS_TRANSPORT: 'true',
      REDIS_URL: url(),
      REDIS_USERNAME: 'orchestrator',
      REDIS_PASSWORD: 'o-pw',
    });
    const accepted = await fetch(`${orchestrator.baseUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Test the checkout', agent_id: 'QA-001' }),
    });
    expect(accepted.status).toBe(202);
    const { task_id } = (await accepted.json()) as { task_id: string };
    const task = await waitFor(
      `task ${task_id} completed`,
      async () => {
        const res = await fetch(`${orchestrator.baseUrl}/api/tasks/${task_id}`);
        const body = (await res.json()) as { status: string; agent_id: string };
        return ['completed', 'failed'].includes(body.status) ? body : undefined;
      },
      30_000,
    );
    expect(task).toMatchObject({ status: 'completed', agent_id: 'QA-001' });
    expect((await fetch(`${orchestrator.baseUrl}/health/ready`)).status).toBe(200);
  });
});
