import { randomUUID } from 'node:crypto';
import { TaskState } from '@a2a-js/sdk';
import { Client } from '@a2a-js/sdk/client';
import { TestSystem, waitFor } from '../orchestrator/support/system';
import { call } from '../support/http-client';
import { a2aClient, asTask, Binding, collect, data, dataOf, sendParams, text, userMessage } from './a2a-client';

jest.setTimeout(120_000);

describe('the orchestrator as an A2A server (SDK client, real registry, agent hosts, PostgreSQL, Redis)', () => {
  const system = new TestSystem();

  beforeAll(async () => {
    await system.start({ hosts: ['PM-001,DEV-001,DEV-002,QA-001'] });
    await system.agentsOnline(['PM-001', 'DEV-001', 'QA-001']);
  });

  afterAll(async () => {
    await system.stop();
  });

  it('serves the team card at the origin with both bindings and the workflows and roles as skills', async () => {
    const r = await call(system.url, 'GET', '/.well-known/agent-card.json');
    expect(r.status).toBe(200);
    expect(r.body.supportedInterfaces).toEqual([
      { url: `${system.url}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: `${system.url}/a2a/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
    ]);
    const ids = r.body.skills.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['mcq_generation', 'feature_delivery', 'project_planning', 'backend_dev']));
    expect(r.body.securitySchemes.bearer.httpAuthSecurityScheme.scheme).toBe('Bearer');
  });

  describe.each<Binding>(['JSONRPC', 'HTTP+JSON'])('over %s', (binding) => {
    let client: Client;

    beforeAll(async () => {
      // The card names loopback URLs of port 5200 by default; the test points them at this orchestrator.
      client = await a2aClient(system.url, binding);
    });

    it('a blocking send runs one of our tasks to completion with the validated output as a data artifact', async () => {
      const result = asTask(
        await client.sendMessage(
          sendParams(userMessage([text('Design the login API')], { metadata: { agent_id: 'DEV-001' } })),
        ),
      );
      expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(result.artifacts).toHaveLength(1);
      expect(result.artifacts[0].name).toBe('design_doc');
      expect(dataOf(result)).toEqual(expect.objectContaining({}));
      const ours = await system.call('GET', `/api/tasks/${result.metadata!.task_id as string}`);
      expect(ours.body).toMatchObject({ status: 'completed', agent_id: 'DEV-001', title: 'Design the login API' });
    });
  });
});
