import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { getAgent } from '@app/agents';
import { hashApiKey } from '@app/auth';
import {
  ORCHESTRATOR_RESULTS_ADDRESS,
  ORCHESTRATOR_RPC_ADDRESS,
  OrchestratorPatterns,
  TaskPatterns,
} from '@app/contracts';
import { createEnvelope, encodeEnvelope, RedisStreamsClient, signEnvelope, TransportKeys } from '@app/transport';
import { startHost, startOrchestrator, Started, systemEnv, waitFor } from '../orchestrator/support/system';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/http-app';
import { TEST_REDIS_URL } from '../support/test-env';
import { auditRows, bearer, createTestKey, request } from './support/keys';

jest.setTimeout(120_000);

/** Results are accepted only when signed by a host bound to the agent the attempt went to. */
describe('bus: signed agent reports and authenticated RPC (auth on)', () => {
  const transportPrefix = uniqueRedisPrefix('auth-bus').replace(/:$/, '');
  let registry: RegistryUnderTest;
  let orchestrator: Started;
  let host: Started;
  let operator: string;
  let qaKey: { key: string; id: string };
  let redis: Redis;
  const keys = new TransportKeys(transportPrefix);

  beforeAll(async () => {
    operator = (await createTestKey(['*'])).key;
    qaKey = await createTestKey([], ['QA-001']);
    registry = await startRegistry({ AUTH_MODE: 'on', LIVENESS_SWEEP_SECONDS: '1' });
    const env = { ...systemEnv(registry.baseUrl, transportPrefix), AUTH_MODE: 'on' };
    const discovery = (await createTestKey(['registry:read'])).key;
    orchestrator = await startOrchestrator({ ...env, REGISTRY_API_KEY: discovery });
    host = await startHost({ ...env, AGENT_HOST_API_KEY: qaKey.key }, 'QA-001');
    redis = new Redis(TEST_REDIS_URL);
    // DEV-001 is registered (by an operator) but no host runs it: its tasks wait dispatched.
    const dev = getAgent('DEV-001');
    await request(registry.baseUrl, 'POST', '/api/agents/register', {
      headers: bearer(operator),
      body: {
        agent_id: 'DEV-001',
        name: dev.name,
        role: dev.role,
        host: 'nowhere',
        port: 1,
        capabilities: dev.capabilities.map((c) => ({
          capability: c.capability,
          proficiency_level: c.proficiency_level,
        })),
      },
    });
    await waitFor('QA-001 online', async () => {
      const r = await request(registry.baseUrl, 'GET', '/api/agents/QA-001', { headers: bearer(operator) });
      return r.body.status === 'online';
    });
  });

  afterAll(async () => {
    await redis?.quit();
    await host?.close().catch(() => undefined);
    await orchestrator?.close().catch(() => undefined);
    await registry?.close().catch(() => undefined);
    if (registry) await cleanupRegistryKeys(registry.prefix);
    await deleteRedisKeys(transportPrefix);
  });

  const api = (method: string, path: string, body?: unknown, key = operator) =>
    request(orchestrator.baseUrl, method, path, { body, headers: bearer(key) });

  it('a task run by the bound host completes (its signed reports are accepted) and records created_by', async () => {
    const submitted = await api('POST', '/api/tasks', { title: 'Plan tests', agent_id: 'QA-001' });
    expect(submitted.status).toBe(202);
    const done = await waitFor('task completed', async () => {
      const r = await api('GET', `/api/tasks/${submitted.body.task_id}`);
      return r.body.status === 'completed' ? r.body : undefined;
    });
    expect(done.agent_id).toBe('QA-001');
    expect(done.created_by).toMatch(/^api_key:/);
  });

  it('forged results written with XADD are dead-lettered as unauthenticated and the task is untouched', async () => {
    const submitted = await api('POST', '/api/tasks', { title: 'Design the API', agent_id: 'DEV-001' });
    expect({ status: submitted.status, body: submitted.body }).toMatchObject({ status: 202 });
    const taskId = submitted.body.task_id as string;
    const before = await waitFor('task dispatched', async () => {
      const r = await api('GET', `/api/tasks/${taskId}`);
      return r.body.attempt === 1 ? r.body : undefined;
    });
    const now = new Date().toISOString();
    const report = (agent: string) => ({
      task_id: taskId,
      attempt: 1,
      agent_id: agent,
      status: 'completed',
      result: { forged: true },
      started_at: now,
      completed_at: now,
    });
    const forge = (payload: unknown, sign?: { keyId: string; secret: string }) => {
      const envelope = createEnvelope({
        from_agent: 'DEV-001',
        to_agent: ORCHESTRATOR_RESULTS_ADDRESS,
        message_type: TaskPatterns.Result,
        payload,
        correlation_id: taskId,
      });
      if (sign) signEnvelope(envelope, sign);
      return redis.xadd(keys.stream(ORCHESTRATOR_RESULTS_ADDRESS), '*', ...encodeEnvelope(envelope));
    };
    await forge(report('DEV-001')); // unsigned
    await forge(report('DEV-001'), { keyId: qaKey.id, secret: hashApiKey(qaKey.key) }); // a real host, not bound to DEV-001
    await forge(report('DEV-001'), { keyId: qaKey.id, secret: 'guessed' }); // bad signature
    await forge(report('QA-001'), { keyId: qaKey.id, secret: hashApiKey(qaKey.key) }); // bound, but not the dispatched agent

    const dead = await waitFor('three forged reports dead-lettered', async () => {
      const r = await api('GET', `/api/bus/streams/${ORCHESTRATOR_RESULTS_ADDRESS}/dead-letters`);
      const mine = (r.body.dead_letters as { reason: string; original: { envelope: string } }[]).filter((d) =>
        d.original.envelope.includes(taskId),
      );
      return mine.length === 3 ? mine : undefined;
    });
    expect(dead.map((d) => d.reason)).toEqual(['unauthenticated', 'unauthenticated', 'unauthenticated']);
    expect(await auditRows(`resource = $1 AND outcome = 'unauthenticated'`, [`task:${taskId}`])).toHaveLength(3);

    // The fourth (validly signed by QA-001's host, for an attempt dispatched to DEV-001) changes nothing either.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await api('GET', `/api/tasks/${taskId}`);
    expect(after.body.status).toBe(before.status);
    expect(after.body.result).toBeNull();
    expect(after.body.history).toEqual(before.history);
    expect(after.body.attempts).toEqual(before.attempts);
  });

  it('RPC on the Streams transport needs a credential with the scope', async () => {
    const client = new RedisStreamsClient({
      url: TEST_REDIS_URL,
      keyPrefix: transportPrefix,
      defaultTarget: ORCHESTRATOR_RPC_ADDRESS,
      requestTimeoutMs: 10_000,
    });
    await client.connect();
    try {
      const submit = (payload: Record<string, unknown>) =>
        lastValueFrom(
          client.send(OrchestratorPatterns.SubmitTask, { title: 'Plan', agent_id: 'QA-001', ...payload }),
        ).catch((error: unknown) => error);
      expect(await submit({})).toMatchObject({ status: 'error', message: expect.stringMatching(/^auth:/) });
      const reader = (await createTestKey(['tasks:read'])).key;
      expect(await submit({ auth: reader })).toMatchObject({
        status: 'error',
        message: expect.stringMatching(/^scope:/),
      });
      const writer = await createTestKey(['tasks:write']);
      expect(await submit({ auth: writer.key })).toMatchObject({ task_id: expect.any(String) });
      expect(await auditRows('actor = $1', [`api_key:${writer.name}`])).toEqual([
        expect.objectContaining({ action: 'rpc tasks.submit', outcome: 'success', service: 'orchestrator' }),
      ]);
      expect(await auditRows(`action = 'rpc tasks.submit' AND outcome = 'unauthenticated'`, [])).not.toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});
