import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { register } from 'prom-client';
import { UnknownAgentError } from '@app/agents';
import { createHttpApp } from '@app/edge';
import { RegistryAppModule } from '../../apps/registry/src/registry-app.module';
import { startAgentHost } from '../../apps/agent-host/src/bootstrap';
import { deleteRedisKeys, testConfig, uniqueRedisPrefix } from '../support/http-app';
import {
  call,
  cleanupPrefix,
  HostUnderTest,
  startHost,
  uniqueTransportPrefix,
  waitFor,
} from './support/agent-host-harness';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('agent host start-up', () => {
  it.each([
    ['DEV-001,NOPE-001', /unknown agent id "NOPE-001"/],
    ['role:astronaut', /unknown role "astronaut"/],
  ])('refuses AGENT_IDS=%s naming what is unknown', async (agentIds, message) => {
    const config = testConfig({ AGENT_IDS: agentIds });
    const start = startAgentHost(config, { port: 0, host: '127.0.0.1' });
    await expect(start).rejects.toBeInstanceOf(UnknownAgentError);
    await expect(start).rejects.toThrow(message);
  });

  describe('with a registry that starts late and one hosted agent', () => {
    const prefix = uniqueTransportPrefix();
    const registryPrefix = uniqueRedisPrefix('agenthost-registry');
    let registryPort: number;
    let host: HostUnderTest;
    let registry: NestFastifyApplication | undefined;

    beforeAll(async () => {
      registryPort = await freePort();
      host = await startHost({
        AGENT_IDS: 'MED-002',
        REGISTRY_URL: `http://127.0.0.1:${registryPort}`,
        TRANSPORT_KEY_PREFIX: prefix,
        AGENT_HOST_INSTANCE_ID: `e2e-late-${randomUUID().slice(0, 8)}`,
        HEARTBEAT_INTERVAL_SECONDS: '1',
        HEARTBEAT_TTL_SECONDS: '3',
      });
    });

    afterAll(async () => {
      await host?.close();
      await registry?.close();
      await cleanupPrefix(prefix);
      await deleteRedisKeys(registryPrefix);
    });

    it('starts without the registry and registers once it answers', async () => {
      const health = await call(host.baseUrl, 'GET', '/health');
      expect(health.body).toEqual({ status: 'healthy', agent_id: 'MED-002', agent_ids: ['MED-002'] });
      expect((await call(host.baseUrl, 'GET', '/status')).body.agents[0].registered).toBe(false);

      // One prom-client registry per process: the registry's default metrics would collide with the host's.
      register.clear();
      const config = testConfig({
        REGISTRY_REDIS_PREFIX: registryPrefix,
        HEARTBEAT_INTERVAL_SECONDS: '1',
        HEARTBEAT_TTL_SECONDS: '3',
      });
      registry = await createHttpApp(RegistryAppModule.forRoot(config), {
        title: 'late registry',
        description: 'e2e',
        bodyLimitBytes: config.httpBodyLimitBytes,
      });
      await registry.listen({ port: registryPort, host: '127.0.0.1' });

      await waitFor(
        'registration after the registry came up',
        async () => (await call(host.baseUrl, 'GET', '/status')).body.agents[0].registered === true,
        30_000,
      );
      const agent = await call(`http://127.0.0.1:${registryPort}`, 'GET', '/api/agents/MED-002');
      expect(agent.body).toMatchObject({ agent_id: 'MED-002', role: 'medical_expert', status: 'online' });
    });

    it("runs the seed's POST /task on the single hosted agent and answers with the finished task", async () => {
      const res = await call(host.baseUrl, 'POST', '/task', {
        title: 'Pulmonology: asthma step-up therapy',
        input: { topic: 'asthma' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        agent_id: 'MED-002',
        status: 'completed',
        error: null,
        result: { model: 'scripted', output_kind: 'mcq_item' },
      });
      expect(res.body.task_id).toMatch(/^[0-9a-f-]{36}$/);

      const failed = await call(host.baseUrl, 'POST', '/task', {
        title: 'broken',
        input: { scripted: { invalid_output: true } },
      });
      expect(failed.status).toBe(200);
      expect(failed.body.status).toBe('failed');
      expect(failed.body.validation_errors.length).toBeGreaterThan(0);

      const bad = await call(host.baseUrl, 'POST', '/task', { title: 'x', task_id: 'not-a-uuid' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['task_id']);
    });
  });
});
