import { TaskState } from '@a2a-js/sdk';
import { call, Json, TestSystem, waitFor } from '../orchestrator/support/system';
import { a2aClient, asTask, data, dataOf, sendParams, text, userMessage } from './a2a-client';
import { cleanupRegistryKeys, startRegistry } from '../registry/registry-test-app';
import { FakeRemoteAgent } from './fake-remote-agent';

jest.setTimeout(180_000);

const CHANGE = {
  summary: 'Adds the password reset endpoint',
  files: [{ path: 'src/reset.ts', language: 'typescript', action: 'create', content: 'export const reset = 1;' }],
  tests: ['reset sends a mail'],
};

/** Skills of an outside coder: one tagged with a term the capability map turns into ours. */
const coderSkills = [
  { id: 'writeCode', name: 'Write code', description: 'Implements features', tags: ['python', 'output:code_change'] },
  { id: 'code_review', name: 'Review code', description: 'Reviews changes', tags: ['proficiency:7'] },
];

/**
 * Outside A2A agents on the team (docs/decisions/0102): SDK servers started here register by card
 * URL, tasks and a workflow step reach them through the orchestrator's bridge, a killed one's task
 * moves to another, probes take them offline and back, cancel reaches them as CancelTask.
 */
describe('outside A2A agents (SDK servers, real registry, orchestrator, hosts, PostgreSQL, Redis)', () => {
  const system = new TestSystem();
  const a = new FakeRemoteAgent('Outside coder A', coderSkills, CHANGE);
  const b = new FakeRemoteAgent('Outside coder B', coderSkills, CHANGE);
  const registered: string[] = [];
  let idA: string;
  let idB: string;

  const register = async (body: Json) => {
    const r = await system.registry.call('POST', '/api/agents/remote', body);
    if (r.status === 200) registered.push(r.body.agent_id as string);
    return r;
  };
  const agentStatus = async (id: string) => (await system.registry.call('GET', `/api/agents/${id}`)).body.status;

  beforeAll(async () => {
    await a.start();
    await b.start();
    await system.start({
      hosts: ['DEV-001', 'role:qa_engineer', 'role:devops_engineer'],
      registryEnv: {
        A2A_REMOTE_ALLOW_PRIVATE: 'true',
        A2A_REMOTE_PROBE_SECONDS: '1',
        A2A_REMOTE_CAPABILITY_MAP: JSON.stringify({ python: 'code_implementation' }),
      },
      orchestratorEnv: { A2A_REMOTE_REFRESH_MS: '200' },
    });
    await system.agentsOnline(['DEV-001', 'QA-001', 'DEVOPS-001']);
  });

  afterAll(async () => {
    // Remote agents live in the shared test database: leave none behind for the next run.
    for (const id of registered) await system.registry.call('DELETE', `/api/agents/${id}`);
    await system.stop();
    await a.kill();
    await b.kill();
  });

  it('registers by card URL: EXT-nnn id, role given, capabilities and output kind from the skills', async () => {
    const r = await register({ card_url: a.cardUrl, role: 'remote_dev', max_tasks: 2 });
    expect(r.status).toBe(200);
    expect(r.body.agent_id).toMatch(/^EXT-\d{3}$/);
    expect(r.body).toMatchObject({ role: 'remote_dev', output_kind: 'code_change' });
    expect(r.body.capabilities).toEqual(
      expect.arrayContaining([
        { capability: 'code_implementation', proficiency_level: 5 },
        { capability: 'code_review', proficiency_level: 7 },
      ]),
    );
    idA = r.body.agent_id;
    const again = await register({ card_url: a.cardUrl, role: 'remote_dev', max_tasks: 2 });
    expect(again.body.agent_id).toBe(idA); // the same card is a refresh, not a second agent
    const view = (await system.registry.call('GET', `/api/agents/${idA}`)).body;
    expect(view).toMatchObject({ status: 'online', role: 'remote_dev', load: { max_tasks: 2 } });
    expect(view.metadata.a2a_remote).toMatchObject({
      card_url: a.cardUrl,
      endpoint: { url: `${a.origin}/a2a/jsonrpc`, protocolBinding: 'JSONRPC' },
    });
    const rb = await register({ card_url: b.cardUrl, role: 'remote_dev' });
    idB = rb.body.agent_id;
    expect(idB).not.toBe(idA);
  });

  it('a task sent to the remote agent completes with its validated output and its streamed statuses as events', async () => {
    const submitted = await system.call('POST', '/api/tasks', {
      title: 'Implement password reset',
      agent_id: idA,
      input: { feature: 'password reset' },
    });
    expect(submitted.status).toBe(202);
    const done = await system.waitTask(submitted.body.task_id);
    expect(done).toMatchObject({ status: 'completed', agent_id: idA });
    expect(done.result.output).toEqual(CHANGE);
    expect(done.result.output_kind).toBe('code_change');
    const remote = done.history.filter((e: Json) => e.type === 'remote_status');
    expect(remote.map((e: Json) => e.detail.state)).toEqual(expect.arrayContaining(['submitted', 'working']));
    expect(remote[0].detail.remote_task_id).toEqual(expect.any(String));
    const sent = a.received.find((r) => r.metadata.task_id === submitted.body.task_id);
    expect(sent).toMatchObject({ input: { feature: 'password reset' }, metadata: { output_kind: 'code_change' } });
    expect(done.attempts).toHaveLength(1);
    const metrics = await system.call('GET', '/metrics');
    expect(metrics.text).toMatch(
      new RegExp(`orchestrator_remote_attempts_total\\{agent_id="${idA}",outcome="completed"[^}]*\\} [1-9]`),
    );
  });

  it('A2A clients reach it through the orchestrator: its own card and endpoint, or agent_id on the team endpoint', async () => {
    const card = await system.registry.call('GET', `/api/agents/${idA}/card`);
    expect(card.status).toBe(200);
    const path = `/a2a/agents/${idA}/agent-card.json`;
    const own = await call(system.url, 'GET', path);
    expect(own.status).toBe(200);
    expect(own.body.skills.map((s: Json) => s.id)).toEqual(expect.arrayContaining(['code_implementation']));
    const client = await a2aClient(system.url, 'JSONRPC', path);
    const direct = asTask(await client.sendMessage(sendParams(userMessage([text('Implement it'), data({ x: 1 })]))));
    expect(direct.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(dataOf(direct)).toEqual(CHANGE);
    const team = await a2aClient(system.url, 'JSONRPC');
    const viaTeam = asTask(
      await team.sendMessage(sendParams(userMessage([text('Implement it too')], { metadata: { agent_id: idB } }))),
    );
    expect(viaTeam.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const ours = await system.call('GET', `/api/tasks/${viaTeam.metadata!.task_id as string}`);
    expect(ours.body).toMatchObject({ status: 'completed', agent_id: idB });
  });

  it('an output that fails its kind validation fails the task with the validator’s reasons', async () => {
    a.mode = 'invalid';
    try {
      const submitted = await system.call('POST', '/api/tasks', { title: 'Bad output', agent_id: idA });
      const done = await system.waitTask(submitted.body.task_id);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/code_change validation/);
    } finally {
      a.mode = 'complete';
    }
  });

  it('does a workflow step: feature_delivery implements on a remote agent', async () => {
    const started = await system.call('POST', '/api/workflows/feature_delivery/runs', {
      input: { feature: 'Password reset', developer_role: 'remote_dev' },
    });
    expect(started.status).toBe(202);
    const runId = started.body.run_id as string;
    const waiting = await system.waitRun(runId, ['input_required', 'failed'], 90_000);
    expect(waiting.status).toBe('input_required');
    const tasks = (await system.call('GET', `/api/tasks?workflow_run_id=${runId}`)).body.tasks as Json[];
    const implement = tasks.find((t) => t.step_key === 'implement#1');
    expect([idA, idB]).toContain(implement.agent_id);
    expect(implement.status).toBe('completed');
    const remote = [...a.received, ...b.received].find((r) => r.metadata.task_id === implement.task_id);
    expect(remote?.metadata.workflow_run_id).toBe(runId);
  });

  it('cancel reaches the remote agent as CancelTask', async () => {
    a.mode = 'hang';
    try {
      const submitted = await system.call('POST', '/api/tasks', { title: 'Long work', agent_id: idA });
      const taskId = submitted.body.task_id as string;
      const remote = await waitFor('the remote agent got the task', () =>
        a.received.find((r) => r.metadata.task_id === taskId),
      );
      const canceled = await system.call('POST', `/api/tasks/${taskId}/cancel`);
      expect(canceled.status).toBeLessThan(300);
      const done = await system.waitTask(taskId);
      expect(done.status).toBe('canceled');
      await waitFor('CancelTask at the remote agent', () => a.canceled.includes(remote.taskId));
    } finally {
      a.mode = 'complete';
    }
  });

  it('the execution deadline stops the remote task with CancelTask and fails the attempt', async () => {
    a.mode = 'hang';
    try {
      const submitted = await system.call('POST', '/api/tasks', {
        title: 'Too slow',
        agent_id: idA,
        timeout_seconds: 1,
        max_attempts: 1,
      });
      const taskId = submitted.body.task_id as string;
      const remote = await waitFor('the remote agent got the task', () =>
        a.received.find((r) => r.metadata.task_id === taskId),
      );
      const done = await system.waitTask(taskId);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/deadline/);
      await waitFor('CancelTask at the remote agent', () => a.canceled.includes(remote.taskId));
    } finally {
      a.mode = 'complete';
    }
  });

  it('two registry replicas probe each remote agent once per period between them', async () => {
    const second = await startRegistry(
      {
        LIVENESS_SWEEP_SECONDS: '1',
        HEARTBEAT_INTERVAL_SECONDS: '1',
        HEARTBEAT_TTL_SECONDS: '3',
        HEARTBEAT_GRACE_SECONDS: '0',
        A2A_REMOTE_ALLOW_PRIVATE: 'true',
        A2A_REMOTE_PROBE_SECONDS: '1',
      },
      system.registry.prefix,
    );
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      const before = a.cardFetches;
      await new Promise((r) => setTimeout(r, 4_000));
      // One probe per second at most (timer phases may add one); without the claim it would be about eight.
      expect(a.cardFetches - before).toBeGreaterThanOrEqual(3);
      expect(a.cardFetches - before).toBeLessThanOrEqual(5);
    } finally {
      await second.close();
    }
  });

  it('a remote agent killed mid-task: the task moves to another remote agent and completes once', async () => {
    a.mode = 'hang';
    b.mode = 'hang';
    const submitted = await system.call('POST', '/api/tasks', {
      title: 'Survive a crash',
      role: 'remote_dev',
      capability: 'code_implementation',
      max_attempts: 3,
    });
    const taskId = submitted.body.task_id as string;
    const first = await waitFor('a remote agent got the task', () =>
      a.received.some((r) => r.metadata.task_id === taskId)
        ? a
        : b.received.some((r) => r.metadata.task_id === taskId)
          ? b
          : undefined,
    );
    const other = first === a ? b : a;
    const [firstId, otherId] = first === a ? [idA, idB] : [idB, idA];
    other.mode = 'complete';
    const port = first.port;
    await first.kill();
    const done = await system.waitTask(taskId, ['completed', 'failed', 'canceled'], 60_000);
    expect(done).toMatchObject({ status: 'completed', agent_id: otherId });
    expect(done.attempts.map((t: Json) => [t.agent_id, t.status])).toEqual([
      [firstId, 'timed_out'],
      [otherId, 'completed'],
    ]);
    expect(done.history.filter((e: Json) => e.type === 'completed')).toHaveLength(1);

    // The probe finds its card gone: offline like any agent; started again, it is back online.
    await waitFor('killed remote agent offline', async () => (await agentStatus(firstId)) === 'offline', 15_000);
    first.mode = 'complete';
    await first.start(port);
    await waitFor('remote agent back online', async () => (await agentStatus(firstId)) === 'online', 15_000);
  });

  it('a card that stops answering (HTTP 503) takes the agent offline; answering again brings it back', async () => {
    b.cardStatus = 503;
    try {
      await waitFor('remote agent offline', async () => (await agentStatus(idB)) === 'offline', 15_000);
      const view = (await system.registry.call('GET', `/api/agents/${idB}`)).body;
      expect(view.metadata.a2a_remote.last_probe_error).toMatch(/HTTP 503/);
    } finally {
      b.cardStatus = 200;
    }
    await waitFor('remote agent online again', async () => (await agentStatus(idB)) === 'online', 15_000);
  });

  describe('bad cards are a 400 naming the problem', () => {
    const broken = new FakeRemoteAgent('Broken', coderSkills, CHANGE);

    beforeAll(async () => {
      await broken.start();
    });

    afterAll(async () => {
      await broken.kill();
    });

    it('no supportedInterfaces: CARD_INVALID naming the field', async () => {
      const { supportedInterfaces: _drop, ...card } = broken.card;
      broken.card = card;
      const r = await register({ card_url: broken.cardUrl, role: 'remote_dev' });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'CARD_INVALID' });
      expect(r.body.message).toContain('card.supportedInterfaces');
    });

    it('a skill without an id: CARD_INVALID naming card.skills[n].id', async () => {
      broken.card = {
        ...broken.card,
        supportedInterfaces: [
          { url: `${broken.origin}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        ],
        skills: [{ name: 'x', description: '', tags: [] }],
      };
      const r = await register({ card_url: broken.cardUrl, role: 'remote_dev' });
      expect(r.status).toBe(400);
      expect(r.body.message).toContain('card.skills[0].id');
    });

    it('no role given or derivable: CARD_INVALID naming role', async () => {
      broken.card = { ...broken.card, skills: coderSkills };
      const r = await register({ card_url: broken.cardUrl });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/^role: /);
    });

    it('only a gRPC interface: CARD_INVALID, the bridge could not call it', async () => {
      broken.card = {
        ...broken.card,
        supportedInterfaces: [{ url: `${broken.origin}/grpc`, protocolBinding: 'GRPC', protocolVersion: '1.0' }],
      };
      const r = await register({ card_url: broken.cardUrl, role: 'remote_dev' });
      expect(r.status).toBe(400);
      expect(r.body.message).toContain('card.supportedInterfaces');
    });

    it('a redirect to another origin: TARGET_REFUSED', async () => {
      broken.redirectTo = a.cardUrl;
      try {
        const r = await register({ card_url: broken.cardUrl, role: 'remote_dev' });
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ code: 'TARGET_REFUSED' });
        expect(r.body.message).toContain('another origin');
      } finally {
        broken.redirectTo = undefined;
      }
    });

    it('a card URL nobody answers: CARD_UNREACHABLE naming card_url', async () => {
      const r = await register({ card_url: 'http://127.0.0.1:9/.well-known/agent-card.json', role: 'remote_dev' });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'CARD_UNREACHABLE' });
      expect(r.body.message).toMatch(/^card_url: /);
    });

    it('a bad request body names the field', async () => {
      const r = await register({ card_url: broken.cardUrl, role: 'Not A Role', max_tasks: 0 });
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain('role');
    });
  });

  it('without A2A_REMOTE_ALLOW_PRIVATE, loopback and metadata addresses are refused (TARGET_REFUSED)', async () => {
    const strict = await startRegistry({});
    try {
      for (const url of [a.cardUrl, 'http://169.254.169.254/latest/meta-data/', 'http://localhost:1/card.json']) {
        const r = await strict.call('POST', '/api/agents/remote', { card_url: url, role: 'remote_dev' });
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ code: 'TARGET_REFUSED' });
        expect(r.body.message).toMatch(/^card_url: /);
      }
      const r = await strict.call('POST', '/api/agents/remote', { card_url: 'file:///etc/passwd', role: 'remote_dev' });
      expect(r.body).toMatchObject({ code: 'TARGET_REFUSED' });
    } finally {
      await strict.close();
      await cleanupRegistryKeys(strict.prefix);
    }
  });
});
