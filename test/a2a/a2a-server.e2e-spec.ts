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
    await system.start({ hosts: ['PM-001,DEV-002', 'role:backend_dev', 'role:qa_engineer', 'role:devops_engineer'] });
    await system.agentsOnline(['PM-001', 'DEV-001', 'DEV-002', 'DEV-003', 'QA-001', 'QA-002', 'DEVOPS-001']);
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
    expect(ids).toEqual(
      expect.arrayContaining(['mcq_generation', 'feature_delivery', 'project_planning', 'backend_dev']),
    );
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
    const slow = (ms: number, extra: Record<string, unknown> = {}) =>
      userMessage([text('Review the payment module'), data({ scripted: { latency_ms: ms } })], {
        metadata: { agent_id: 'DEV-002' },
        ...extra,
      });

    it('a non-blocking send returns the task still working; it completes later', async () => {
      const started = asTask(await client.sendMessage(sendParams(slow(1500), true)));
      expect(started.status?.state).toBe(TaskState.TASK_STATE_WORKING);
      const done = await waitFor('A2A task completed', async () => {
        const t = await client.getTask({ tenant: '', id: started.id });
        return t.status?.state === TaskState.TASK_STATE_COMPLETED ? t : undefined;
      });
      expect(done.artifacts).toHaveLength(1);
      expect(done.contextId).toBe(started.contextId);
    });

    it('streams the task first, then working updates, the artifact and the final status last', async () => {
      const events = await collect(
        client.sendMessageStream(
          sendParams(userMessage([text('Plan the sprint')], { metadata: { skill: 'backend_dev' } })),
        ),
      );
      const kinds = events.map((e) => e.payload?.$case);
      expect(kinds[0]).toBe('task');
      expect(kinds[kinds.length - 1]).toBe('statusUpdate');
      expect(kinds[kinds.length - 2]).toBe('artifactUpdate');
      const last = events[events.length - 1].payload as { value: { status: { state: TaskState } } };
      expect(last.value.status.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const middle = events
        .slice(1, -2)
        .map((e) => (e.payload as { value: { status?: { state: TaskState } } }).value.status?.state);
      expect(middle.length).toBeGreaterThan(0);
      expect(middle.every((s) => s === TaskState.TASK_STATE_WORKING)).toBe(true);
    });

    it('GetTask honours historyLength', async () => {
      const t = asTask(
        await client.sendMessage(
          sendParams(userMessage([text('Write the ADR')], { metadata: { agent_id: 'DEV-001' } })),
        ),
      );
      const full = await client.getTask({ tenant: '', id: t.id });
      expect(full.history.length).toBeGreaterThanOrEqual(1);
      expect(full.history[0].role).toBe(1);
      const none = await client.getTask({ tenant: '', id: t.id, historyLength: 0 });
      expect(none.history).toEqual([]);
    });

    it('ListTasks filters by context and pages with a token; totalSize counts every match', async () => {
      const contextId = randomUUID();
      for (let i = 0; i < 3; i++)
        await client.sendMessage(
          sendParams(userMessage([text(`Task ${i}`)], { contextId, metadata: { agent_id: 'DEV-001' } })),
        );
      const first = await client.listTasks({
        tenant: '',
        contextId,
        status: 0,
        pageSize: 2,
        pageToken: '',
        statusTimestampAfter: undefined,
      });
      expect(first.tasks).toHaveLength(2);
      expect(first.totalSize).toBe(3);
      expect(first.pageSize).toBe(2);
      expect(first.nextPageToken).not.toBe('');
      const second = await client.listTasks({
        tenant: '',
        contextId,
        status: 0,
        pageSize: 2,
        pageToken: first.nextPageToken,
        statusTimestampAfter: undefined,
      });
      expect(second.tasks).toHaveLength(1);
      expect(second.nextPageToken).toBe('');
      const ids = [...first.tasks, ...second.tasks].map((t) => t.id);
      expect(new Set(ids).size).toBe(3);
      expect([...first.tasks, ...second.tasks].every((t) => t.contextId === contextId)).toBe(true);
      const completed = await client.listTasks({
        tenant: '',
        contextId,
        status: TaskState.TASK_STATE_CANCELED,
        pageSize: 10,
        pageToken: '',
        statusTimestampAfter: undefined,
      });
      expect(completed.tasks).toEqual([]);
    });

    it('CancelTask cancels our task; a finished task is not cancelable; an unknown one is not found', async () => {
      const started = asTask(await client.sendMessage(sendParams(slow(20_000), true)));
      const canceled = await client.cancelTask({ tenant: '', id: started.id, metadata: {} });
      expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
      const ours = await system.waitTask(started.metadata!.task_id as string, ['canceled']);
      expect(ours.status).toBe('canceled');
      await expect(client.cancelTask({ tenant: '', id: started.id, metadata: {} })).resolves.toMatchObject({
        status: expect.objectContaining({ state: TaskState.TASK_STATE_CANCELED }),
      });
      const done = asTask(
        await client.sendMessage(sendParams(userMessage([text('quick')], { metadata: { agent_id: 'DEV-001' } }))),
      );
      await expect(client.cancelTask({ tenant: '', id: done.id, metadata: {} })).rejects.toMatchObject({
        name: 'TaskNotCancelableError',
      });
      await expect(client.getTask({ tenant: '', id: randomUUID() })).rejects.toMatchObject({
        name: 'TaskNotFoundError',
      });
    });

    it('SubscribeToTask follows a running task to its end', async () => {
      const started = asTask(await client.sendMessage(sendParams(slow(1500), true)));
      const events = await collect(client.resubscribeTask({ tenant: '', id: started.id }));
      expect(events[0].payload?.$case).toBe('task');
      const last = events[events.length - 1].payload as { $case: string; value: { status: { state: TaskState } } };
      expect(last.$case).toBe('statusUpdate');
      expect(last.value.status.state).toBe(TaskState.TASK_STATE_COMPLETED);
    });

    it('bad input is the invalid-params error naming the field', async () => {
      await expect(
        client.sendMessage(sendParams(userMessage([text('x')], { metadata: { skill: 'astrology' } }))),
      ).rejects.toMatchObject({ name: 'RequestMalformedError', message: expect.stringContaining('metadata.skill') });
      await expect(
        client.sendMessage(sendParams(userMessage([text('x')], { metadata: { skill: 'feature_delivery' } }))),
      ).rejects.toMatchObject({ name: 'RequestMalformedError', message: expect.stringContaining('"feature"') });
    });

    it('a workflow approval is input-required; a follow-up message on the same task resumes it to completion', async () => {
      const first = asTask(
        await client.sendMessage(
          sendParams(
            userMessage([data({ feature: 'Password reset', developer_role: 'backend_dev' })], {
              metadata: { skill: 'feature_delivery' },
            }),
          ),
        ),
      );
      expect(first.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      expect(first.metadata?.workflow_run_id).toEqual(expect.any(String));
      await expect(
        client.sendMessage(sendParams(userMessage([text('maybe')], { taskId: first.id, contextId: first.contextId }))),
      ).rejects.toMatchObject({ name: 'RequestMalformedError' });
      const done = asTask(
        await client.sendMessage(
          sendParams(userMessage([text('approve ship it')], { taskId: first.id, contextId: first.contextId })),
        ),
      );
      expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(done.artifacts[0].name).toBe('feature_delivery');
      const run = await system.call('GET', `/api/workflows/runs/${first.metadata!.workflow_run_id as string}`);
      expect(run.body.status).toBe('completed');
      await expect(
        client.sendMessage(
          sendParams(userMessage([text('approve')], { taskId: first.id, contextId: first.contextId })),
        ),
      ).rejects.toMatchObject({ name: 'UnsupportedOperationError' });
    });
  });

  it('an unsupported A2A-Version is refused with the version error on both bindings', async () => {
    const rpc = await fetch(`${system.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '9.9' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: randomUUID() } }),
    });
    const body = (await rpc.json()) as { error: { code: number } };
    expect(body.error.code).toBe(-32009);
    const rest = await fetch(`${system.url}/a2a/rest/tasks/${randomUUID()}`, { headers: { 'a2a-version': '9.9' } });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as { error: { details: { reason: string }[] } }).error.details[0].reason).toBe(
      'VERSION_NOT_SUPPORTED',
    );
  });

  it('malformed JSON-RPC is a JSON-RPC parse error; an unknown method is method-not-found', async () => {
    const bad = await fetch(`${system.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: '{"jsonrpc": "2.0", "id": 1, ',
    });
    expect(bad.status).toBe(200);
    expect(await bad.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Invalid JSON payload.' },
    });
    const unknown = await fetch(`${system.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'FlyToTheMoon', params: {} }),
    });
    expect(((await unknown.json()) as { id: number; error: { code: number } }).error.code).toBe(-32601);
  });

  it('GetExtendedAgentCard needs credentials: 401 without a Bearer, the card with one', async () => {
    const anon = await fetch(`${system.url}/a2a/rest/extendedAgentCard`, { headers: { 'a2a-version': '1.0' } });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Bearer');
    const rpc = await fetch(`${system.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetExtendedAgentCard', params: {} }),
    });
    expect(rpc.status).toBe(401);
    const authed = await fetch(`${system.url}/a2a/rest/extendedAgentCard`, {
      headers: { 'a2a-version': '1.0', authorization: 'Bearer test-key' },
    });
    expect(authed.status).toBe(200);
    expect(((await authed.json()) as { name: string }).name).toBe('expert-agents PM-001');
  });

  it('each catalog agent is its own A2A agent: card, endpoint, durable task on that agent', async () => {
    const card = await call(system.url, 'GET', '/a2a/agents/QA-001/agent-card.json');
    expect(card.status).toBe(200);
    expect(card.body.supportedInterfaces[0].url).toBe(`${system.url}/a2a/agents/QA-001/jsonrpc`);
    expect(card.body.skills[0].tags).toEqual(expect.arrayContaining([expect.stringMatching(/^proficiency:\d+$/)]));
    expect((await call(system.url, 'GET', '/a2a/agents/XYZ-999/agent-card.json')).status).toBe(404);
    const client = await a2aClient(system.url, 'HTTP+JSON', '/a2a/agents/QA-001/agent-card.json');
    const t = asTask(await client.sendMessage(sendParams(userMessage([text('Test plan for login')]))));
    expect(t.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const ours = await system.call('GET', `/api/tasks/${t.metadata!.task_id as string}`);
    expect(ours.body).toMatchObject({ agent_id: 'QA-001', status: 'completed' });
    expect(ours.body.history.length).toBeGreaterThanOrEqual(3);
  });
});
