import { randomUUID } from 'node:crypto';
import { ChildApp, freePort, Json, TestSystem, waitFor } from '../orchestrator/support/system';
import { FakeRemoteAgent } from './fake-remote-agent';

jest.setTimeout(180_000);

const CHANGE = {
  summary: 'Adds the endpoint',
  files: [{ path: 'src/a.ts', language: 'typescript', content: 'export const a = 1;' }],
};

/**
 * The bridge acknowledges a remote agent's stream entry only after the outcome is recorded: an
 * orchestrator killed (SIGKILL) while its bridge waits on the remote agent leaves the entry
 * pending, and the restarted one re-reads it and finishes the same attempt, recorded once.
 */
describe('remote bridge killed mid-task (orchestrator SIGKILL)', () => {
  const system = new TestSystem();
  const remote = new FakeRemoteAgent(
    'Outside coder',
    [{ id: 'code', name: 'Code', description: '', tags: ['code_implementation'] }],
    CHANGE,
  );
  let orchestrator: ChildApp;
  let env: Record<string, string>;
  let agentId: string;

  const ready = () =>
    waitFor('orchestrator ready', async () => (await system.call('GET', '/health/ready')).status === 200, 90_000);

  beforeAll(async () => {
    await remote.start();
    await system.start({
      inProcessOrchestrator: false,
      registryEnv: { A2A_REMOTE_ALLOW_PRIVATE: 'true', A2A_REMOTE_PROBE_SECONDS: '1' },
    });
    const r = await system.registry.call('POST', '/api/agents/remote', {
      card_url: remote.cardUrl,
      role: 'remote_dev',
      output_kind: 'code_change',
    });
    expect(r.status).toBe(200);
    agentId = r.body.agent_id;
    const port = await freePort();
    env = {
      ...system.env,
      ORCHESTRATOR_PORT: String(port),
      ORCHESTRATOR_INSTANCE_ID: `orch-bridge-${randomUUID().slice(0, 6)}`,
      A2A_REMOTE_REFRESH_MS: '200',
    };
    system.baseUrlOverride = `http://127.0.0.1:${port}`;
    orchestrator = new ChildApp('apps/orchestrator/src/main.ts', env);
    orchestrator.start();
    await ready();
  });

  afterAll(async () => {
    await orchestrator?.stop();
    if (agentId) await system.registry.call('DELETE', `/api/agents/${agentId}`);
    await system.stop();
    await remote.kill();
  });

  it('the restarted bridge re-reads the pending entry and completes the same attempt once', async () => {
    remote.mode = 'hang';
    const submitted = await system.call('POST', '/api/tasks', {
      title: 'Implement through a crash',
      agent_id: agentId,
      timeout_seconds: 120,
    });
    const taskId = submitted.body.task_id as string;
    await waitFor(
      'the remote agent got the task',
      () => remote.received.some((r) => r.metadata.task_id === taskId),
      60_000,
    );
    await orchestrator.kill();
    remote.mode = 'complete';

    orchestrator = new ChildApp('apps/orchestrator/src/main.ts', env);
    orchestrator.start();
    await ready();
    const done = await system.waitTask(taskId, ['completed', 'failed', 'canceled'], 60_000);
    expect(done.status).toBe('completed');
    expect(done.result.output).toEqual(CHANGE);
    expect(done.attempts).toEqual([expect.objectContaining({ attempt: 1, agent_id: agentId, status: 'completed' })]);
    expect(done.history.filter((e: Json) => e.type === 'completed')).toHaveLength(1);
    // At-least-once towards the remote: the same attempt was sent again (same message id).
    expect(remote.received.filter((r) => r.metadata.task_id === taskId)).toHaveLength(2);
  });
});
