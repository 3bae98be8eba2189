import { randomUUID } from 'node:crypto';
import { ChildApp, freePort, Json, TestSystem } from './support/system';

jest.setTimeout(180_000);

describe('progress heartbeat (real registry, hosts, PostgreSQL, Redis)', () => {
  const system = new TestSystem();
  let child: ChildApp;

  beforeAll(async () => {
    await system.start({ hosts: ['MED-002'] });
    // A host in its own process, to be killed with SIGKILL mid-task.
    child = new ChildApp('apps/agent-host/src/main.ts', {
      ...system.env,
      AGENT_IDS: 'DEV-007',
      AGENT_HOST_INSTANCE_ID: `beat-${randomUUID().slice(0, 6)}`,
      AGENT_HOST_PORT: String(await freePort()),
    });
    child.start();
    await system.agentsOnline(['MED-002', 'DEV-007']);
  });

  afterAll(async () => {
    await child.stop();
    await system.stop();
  });

  it('keeps a long attempt alive past its heartbeat timeout while its host beats', async () => {
    const r = await system.call('POST', '/api/tasks', {
      title: 'Long but alive',
      agent_id: 'MED-002',
      timeout_seconds: 60,
      heartbeat_timeout_seconds: 2,
      max_attempts: 1,
      input: { scripted: { latency_ms: 5000 } },
    });
    const task = await system.waitTask(r.body.task_id, ['completed', 'failed'], 60_000);
    expect(task.status).toBe('completed');
    expect(task.attempts).toHaveLength(1);
    const started = task.history.find((e: Json) => e.type === 'started');
    const done = task.history.find((e: Json) => e.type === 'completed');
    expect(Date.parse(done.created_at) - Date.parse(started.created_at)).toBeGreaterThan(4000);
  });

  it('times out an attempt whose host died at once, not at its execution timeout', async () => {
    const r = await system.call('POST', '/api/tasks', {
      title: 'Host dies mid-task',
      agent_id: 'DEV-007',
      timeout_seconds: 120,
      heartbeat_timeout_seconds: 2,
      max_attempts: 1,
      input: { scripted: { latency_ms: 30_000 } },
    });
    await system.waitTask(r.body.task_id, ['in_progress'], 60_000);
    await child.kill();
    const killedAt = Date.now();
    const task = await system.waitTask(r.body.task_id, ['completed', 'failed'], 60_000);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(task.status).toBe('failed');
    expect(task.error).toBe('deadline exceeded: attempt 1 of 1 on DEV-007 sent no progress heartbeat within 2 s');
  });
});
