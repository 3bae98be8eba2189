import { randomUUID } from 'node:crypto';
import { ChildApp, freePort, Json, TestSystem, waitFor } from './support/system';

jest.setTimeout(180_000);

describe('orchestrator resilience (processes killed with SIGKILL)', () => {
  describe('an agent host killed mid-task', () => {
    const system = new TestSystem();
    const children: ChildApp[] = [];

    beforeAll(async () => {
      await system.start({ orchestratorEnv: { ORCHESTRATOR_DEADLINE_SWEEP_MS: '200' } });
      for (const agent of ['DEV-003', 'DEV-004']) {
        const child = new ChildApp('apps/agent-host/src/main.ts', {
          ...system.env,
          AGENT_IDS: agent,
          AGENT_HOST_INSTANCE_ID: `kill-${agent}-${randomUUID().slice(0, 6)}`,
          AGENT_HOST_PORT: String(await freePort()),
        });
        child.start();
        children.push(child);
      }
      await system.agentsOnline(['DEV-003', 'DEV-004']);
    });

    afterAll(async () => {
      for (const c of children) await c.stop();
      await system.stop();
    });

    it('re-dispatches the task after its deadline to the other host, where it completes', async () => {
      const r = await system.call('POST', '/api/tasks', {
        title: 'Implement while a host dies',
        role: 'backend_dev',
        timeout_seconds: 4,
        max_attempts: 3,
        input: { scripted: { latency_ms: 2500 } },
      });
      const running = await system.waitTask(r.body.task_id, ['in_progress']);
      const victim = running.agent_id as string;
      await children[victim === 'DEV-003' ? 0 : 1].kill();
      const done = await system.waitTask(r.body.task_id, ['completed', 'failed'], 60_000);
      expect(done.status).toBe('completed');
      expect(done.agent_id).not.toBe(victim);
      expect(done.attempts).toEqual([
        expect.objectContaining({ attempt: 1, agent_id: victim, status: 'timed_out' }),
        expect.objectContaining({ attempt: 2, agent_id: done.agent_id, status: 'completed' }),
      ]);
      const types = done.history.map((e: Json) => e.type);
      expect(types).toEqual(['accepted', 'dispatched', 'started', 'timed_out', 'dispatched', 'started', 'completed']);
      expect(done.history[4].detail).toEqual({ reason: 'deadline' });
    });

    it('fails a task with the reason once max_attempts deadlines passed', async () => {
      const r = await system.call('POST', '/api/tasks', {
        title: 'Always too slow',
        role: 'backend_dev',
        timeout_seconds: 1,
        max_attempts: 2,
        input: { scripted: { latency_ms: 5000 } },
      });
      const done = await system.waitTask(r.body.task_id, ['completed', 'failed'], 30_000);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/deadline exceeded: attempt 2 of 2/);
      expect(done.attempts.map((a: Json) => a.status)).toEqual(['timed_out', 'timed_out']);
    });
  });

  describe('the orchestrator killed mid-run', () => {
    const system = new TestSystem();
    let orchestrator: ChildApp;
    let env: Record<string, string>;

    beforeAll(async () => {
      await system.start({ hosts: ['all'], inProcessOrchestrator: false });
      const port = await freePort();
      env = {
        ...system.env,
        ORCHESTRATOR_PORT: String(port),
        ORCHESTRATOR_INSTANCE_ID: `orch-restart-${randomUUID().slice(0, 6)}`,
      };
      system.baseUrlOverride = `http://127.0.0.1:${port}`;
      orchestrator = new ChildApp('apps/orchestrator/src/main.ts', env);
      orchestrator.start();
      await waitFor(
        'orchestrator ready',
        async () => (await system.call('GET', '/health/ready')).status === 200,
        60_000,
      );
      await system.agentsOnline(['DEV-001', 'QA-001', 'DEVOPS-001']);
    });

    afterAll(async () => {
      await orchestrator.stop();
      await system.stop();
    });

    it('resumes every run where it stood after a restart', async () => {
      const started = await system.call('POST', '/api/workflows/feature_delivery/runs', {
        input: { feature: 'Survive a crash', scripted: { implement: { latency_ms: 3000 } } },
      });
      expect(started.status).toBe(202);
      const runId = started.body.run_id as string;
      const implement = await waitFor('implement in progress', async () => {
        const tasks = (await system.call('GET', `/api/tasks?workflow_run_id=${runId}`)).body.tasks as Json[];
        return tasks.find((t) => t.step_key === 'implement#1' && t.status === 'in_progress');
      });
      // A task accepted just before the crash must be dispatched after it.
      const accepted = await system.call('POST', '/api/tasks', {
        title: 'Accepted before the crash',
        role: 'qa_engineer',
      });
      await orchestrator.kill();

      orchestrator = new ChildApp('apps/orchestrator/src/main.ts', env);
      orchestrator.start();
      await waitFor(
        'orchestrator ready again',
        async () => (await system.call('GET', '/health/ready')).status === 200,
        60_000,
      );

      const waiting = await system.waitRun(runId, ['input_required', 'failed'], 60_000);
      expect(waiting.status).toBe('input_required');
      expect(waiting.steps.map((s: Json) => `${s.step_key}:${s.status}`)).toEqual([
        'design#1:completed',
        'implement#1:completed',
        'test_plan#1:completed',
        'deployment_plan#1:completed',
        'approval#1:waiting_approval',
      ]);
      const implementDone = (await system.call('GET', `/api/tasks/${implement.task_id}`)).body;
      expect(implementDone.status).toBe('completed');
      expect(implementDone.attempts).toHaveLength(1);
      const resumed = await system.call('POST', `/api/workflows/runs/${runId}/resume`, { decision: 'approve' });
      expect(resumed.body.status).toBe('completed');
      expect((await system.waitTask(accepted.body.task_id)).status).toBe('completed');
    });
  });
});
