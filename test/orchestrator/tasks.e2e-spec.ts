import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { AGENT_CATALOG } from '@app/agents';
import { OrchestratorPatterns, ORCHESTRATOR_RPC_ADDRESS } from '@app/contracts';
import { RedisStreamsClient } from '@app/transport';
import { nestRedisOptions } from '../../apps/orchestrator/src/orchestrator.bootstrap';
import { SseReader } from '../support/sse-reader';
import { TEST_REDIS_URL } from '../support/test-env';
import {
  idsExceptRoles,
  idsOfRoles,
  Json,
  startOrchestrator,
  Started,
  TestSystem,
  waitFor,
  WORKFLOWS_DIR,
} from './support/system';

jest.setTimeout(120_000);

describe('orchestrator tasks (real registry, agent hosts, PostgreSQL, Redis)', () => {
  const system = new TestSystem();

  beforeAll(async () => {
    // Every agent except the security engineers: their role stays empty until a test adds them.
    await system.start({ hosts: [idsExceptRoles(['security_engineer'])] });
    await system.agentsOnline(['DEV-001', 'DEV-003', 'QA-001', 'PM-001']);
  });

  afterAll(async () => {
    await system.stop();
  });

  it('accepts a task with 202, routes it by role and records attempts and the full history', async () => {
    const r = await system.call('POST', '/api/tasks', {
      title: 'Write the orders API',
      description: 'REST, Postgres',
      role: 'backend_dev',
    });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ task_id: expect.any(String), status: 'pending' });
    const task = await system.waitTask(r.body.task_id);
    expect(task.status).toBe('completed');
    expect(task.role).toBe('backend_dev');
    expect(task.agent_id).toMatch(/^DEV-\d{3}$/);
    // Any backend developer may be the least loaded; the result has that agent's output kind.
    const chosen = AGENT_CATALOG.find((a) => a.agent_id === task.agent_id);
    expect(chosen?.role).toBe('backend_dev');
    expect(task.result).toMatchObject({ output_kind: chosen?.output_kind, output: { summary: expect.any(String) } });
    expect(task.attempts).toEqual([
      expect.objectContaining({ attempt: 1, agent_id: task.agent_id, status: 'completed' }),
    ]);
    expect(task.history.map((e: Json) => e.type)).toEqual(['accepted', 'dispatched', 'started', 'completed']);
    expect(task.history.map((e: Json) => e.status)).toEqual(['pending', 'pending', 'in_progress', 'completed']);
  });

  it('exposes the orchestrator metrics', async () => {
    const r = await fetch(`${system.url}/metrics`);
    const text = await r.text();
    for (const name of [
      'orchestrator_tasks_total',
      'orchestrator_dispatch_latency_seconds',
      'orchestrator_queue_wait_seconds',
      'orchestrator_task_duration_seconds',
      'orchestrator_workflow_runs_total',
      'orchestrator_redispatches_total',
      'orchestrator_tasks_pending',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/orchestrator_tasks_total\{[^}]*status="completed"[^}]*\} [1-9]/);
  });

  it('routes by capability and to an explicit agent', async () => {
    const byCap = await system.call('POST', '/api/tasks', {
      title: 'Plan tests',
      capability: 'test_planning',
      min_proficiency: 9,
    });
    const explicit = await system.call('POST', '/api/tasks', { title: 'Design it', agent_id: 'DEV-001' });
    const [a, b] = await Promise.all([system.waitTask(byCap.body.task_id), system.waitTask(explicit.body.task_id)]);
    expect(a.status).toBe('completed');
    expect(['QA-002', 'QA-004', 'AI-003']).toContain(a.agent_id);
    expect(b).toMatchObject({ status: 'completed', agent_id: 'DEV-001', requested_agent_id: 'DEV-001' });
  });

  it('returns the same task for the same idempotency_key', async () => {
    const key = `idem-${randomUUID()}`;
    const body = { title: 'Once only', role: 'backend_dev', idempotency_key: key };
    const [first, second] = await Promise.all([
      system.call('POST', '/api/tasks', body),
      system.call('POST', '/api/tasks', body),
    ]);
    const third = await system.call('POST', '/api/tasks', body);
    const ids = new Set([first.body.task_id, second.body.task_id, third.body.task_id]);
    expect(ids.size).toBe(1);
    expect([first.status, second.status].sort()).toEqual([200, 202]);
    expect(third.status).toBe(200);
    const list = await system.call('GET', `/api/tasks?role=backend_dev&limit=500`);
    expect(list.body.tasks.filter((t: Json) => t.idempotency_key === key)).toHaveLength(1);
  });

  it('lets a task wait when no agent has the role, and starts it when one registers', async () => {
    const r = await system.call('POST', '/api/tasks', { title: 'Threat model', role: 'security_engineer' });
    await new Promise((res) => setTimeout(res, 1500));
    const waiting = await system.call('GET', `/api/tasks/${r.body.task_id}`);
    expect(waiting.body.status).toBe('pending');
    expect(waiting.body.attempt).toBe(0);
    await system.addHost(idsOfRoles(['security_engineer']));
    const done = await system.waitTask(r.body.task_id);
    expect(done.status).toBe('completed');
    expect(AGENT_CATALOG.find((a) => a.agent_id === done.agent_id)?.role).toBe('security_engineer');
  });

  it('cancels a pending task at once: it never starts', async () => {
    const r = await system.call('POST', '/api/tasks', { title: 'Nobody can do this', role: 'data_scientist' });
    const c = await system.call('POST', `/api/tasks/${r.body.task_id}/cancel`);
    expect(c.status).toBe(202);
    expect(c.body).toEqual({ task_id: r.body.task_id, status: 'canceled', cancel_requested: false });
    const task = await system.call('GET', `/api/tasks/${r.body.task_id}`);
    expect(task.body.status).toBe('canceled');
    expect(task.body.history.map((e: Json) => e.type)).toEqual(['accepted', 'canceled']);
    const again = await system.call('POST', `/api/tasks/${r.body.task_id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('task_id');
  });

  it('cancels a running task cooperatively: the agent stops and reports canceled', async () => {
    const r = await system.call('POST', '/api/tasks', {
      title: 'Slow work',
      agent_id: 'DEV-003',
      input: { scripted: { latency_ms: 20_000 } },
    });
    await system.waitTask(r.body.task_id, ['in_progress']);
    const c = await system.call('POST', `/api/tasks/${r.body.task_id}/cancel`);
    expect(c.status).toBe(202);
    expect(c.body).toMatchObject({ status: 'in_progress', cancel_requested: true });
    const task = await system.waitTask(r.body.task_id, ['canceled', 'completed', 'failed'], 15_000);
    expect(task.status).toBe('canceled');
    expect(task.history.map((e: Json) => e.type)).toEqual([
      'accepted',
      'dispatched',
      'started',
      'cancel_requested',
      'canceled',
    ]);
  });

  it('streams a task’s events over SSE, replaying what happened before the client connected', async () => {
    const r = await system.call('POST', '/api/tasks', { title: 'Watch me', role: 'backend_dev' });
    await system.waitTask(r.body.task_id);
    const sse = new SseReader(`${system.url}/api/tasks/${r.body.task_id}/events`);
    const response = await sse.open();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const seen: string[] = [];
    for (const type of ['accepted', 'dispatched', 'started', 'completed'])
      seen.push((await sse.next((m) => m.event === type)).event);
    sse.close();
    expect(seen).toEqual(['accepted', 'dispatched', 'started', 'completed']);
  });

  it('lists tasks with filters and cursor pagination', async () => {
    for (let i = 0; i < 5; i++) await system.call('POST', '/api/tasks', { title: `page ${i}`, role: 'frontend_dev' });
    const first = await system.call('GET', '/api/tasks?role=frontend_dev&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.tasks).toHaveLength(2);
    const second = await system.call('GET', `/api/tasks?role=frontend_dev&limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.tasks).toHaveLength(2);
    const ids = [...first.body.tasks, ...second.body.tasks].map((t: Json) => t.task_id);
    expect(new Set(ids).size).toBe(4);
    expect(first.body.tasks[0].created_at >= second.body.tasks[0].created_at).toBe(true);
    const canceled = await system.call('GET', '/api/tasks?status=canceled');
    expect(canceled.body.tasks.every((t: Json) => t.status === 'canceled')).toBe(true);
  });

  it.each([
    ['no title', { role: 'backend_dev' }, 'title'],
    ['no target', { title: 't' }, 'agent_id'],
    ['agent and role', { title: 't', agent_id: 'DEV-001', role: 'backend_dev' }, 'agent_id'],
    ['a bad agent id', { title: 't', agent_id: 'dev1' }, 'agent_id'],
    ['a bad role', { title: 't', role: 'Backend Dev' }, 'role'],
    ['min_proficiency without capability', { title: 't', role: 'backend_dev', min_proficiency: 5 }, 'min_proficiency'],
    ['min_proficiency out of range', { title: 't', capability: 'python', min_proficiency: 11 }, 'min_proficiency'],
    ['a non-object input', { title: 't', role: 'backend_dev', input: [1] }, 'input'],
    ['a zero timeout', { title: 't', role: 'backend_dev', timeout_seconds: 0 }, 'timeout_seconds'],
    ['too many attempts', { title: 't', role: 'backend_dev', max_attempts: 99 }, 'max_attempts'],
    ['an unknown field', { title: 't', role: 'backend_dev', colour: 'red' }, 'colour'],
    ['an empty idempotency key', { title: 't', role: 'backend_dev', idempotency_key: '' }, 'idempotency_key'],
  ])('answers 400 naming the field for %s', async (_, body, field) => {
    const r = await system.call('POST', '/api/tasks', body);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain(field);
  });

  it.each([
    ['GET', '/api/tasks/not-a-uuid', 400, 'task_id'],
    ['GET', `/api/tasks/${randomUUID()}`, 404, 'task_id'],
    ['POST', `/api/tasks/${randomUUID()}/cancel`, 404, 'task_id'],
    ['GET', `/api/tasks/${randomUUID()}/events`, 404, 'task_id'],
    ['GET', '/api/tasks?status=done', 400, 'status'],
    ['GET', '/api/tasks?limit=0', 400, 'limit'],
    ['GET', '/api/tasks?cursor=bogus', 400, 'cursor'],
    ['GET', '/api/tasks?workflow_run_id=x', 400, 'workflow_run_id'],
  ])('answers %s %s with %i naming the field', async (method, path, status, field) => {
    const r = await system.call(method, path);
    expect(r.status).toBe(status);
    expect(r.body.message).toContain(field);
  });

  it('answers 400 naming the body for malformed JSON', async () => {
    const r = await system.call('POST', '/api/tasks', '{"title": ');
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('body');
  });

  it('refuses to start with a bad workflow file, naming the file and the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
    copyFileSync(join(WORKFLOWS_DIR, 'mcq_generation.json'), join(dir, 'mcq_generation.json'));
    writeFileSync(
      join(dir, 'broken_flow.json'),
      JSON.stringify({
        name: 'broken_flow',
        description: 'd',
        start: 'a',
        steps: { a: { type: 'task', title: 't', assign: { role: 'wizard' } } },
      }),
    );
    await expect(startOrchestrator({ ...system.env, ORCHESTRATOR_WORKFLOWS_DIR: dir })).rejects.toThrow(
      /broken_flow\.json[\s\S]*steps\.a\.assign\.role: no role "wizard"/,
    );
  });

  describe('microservice endpoint', () => {
    let nestOrchestrator: Started;

    beforeAll(async () => {
      // A second replica with Nest's Redis transport on, so a stock ClientProxy can call it.
      nestOrchestrator = await startOrchestrator({ ...system.env, ORCHESTRATOR_NEST_REDIS_TRANSPORT: 'true' });
    });

    afterAll(async () => {
      await nestOrchestrator.close();
    });

    it('serves tasks.submit / tasks.get / tasks.cancel through the Redis Streams transport', async () => {
      const client = new RedisStreamsClient({
        url: TEST_REDIS_URL,
        keyPrefix: system.transportPrefix,
        defaultTarget: ORCHESTRATOR_RPC_ADDRESS,
      });
      try {
        const submitted = await lastValueFrom(
          client.send<Json>(OrchestratorPatterns.SubmitTask, { title: 'via streams', role: 'backend_dev' }),
        );
        expect(submitted).toMatchObject({ task_id: expect.any(String), status: 'pending', created: true });
        const done = await system.waitTask(submitted.task_id);
        const got = await lastValueFrom(
          client.send<Json>(OrchestratorPatterns.GetTask, { task_id: submitted.task_id }),
        );
        expect(got).toMatchObject({ task_id: submitted.task_id, status: done.status });
        await expect(
          lastValueFrom(client.send(OrchestratorPatterns.SubmitTask, { role: 'backend_dev' })),
        ).rejects.toMatchObject({ message: expect.stringContaining('title') });
        await expect(
          lastValueFrom(client.send(OrchestratorPatterns.CancelTask, { task_id: submitted.task_id })),
        ).rejects.toMatchObject({ code: 'TASK_NOT_CANCELABLE' });
        const run = await lastValueFrom(
          client.send<Json>(OrchestratorPatterns.StartWorkflow, {
            name: 'feature_delivery',
            input: { feature: 'via rpc' },
          }),
        );
        expect(run).toMatchObject({ run_id: expect.any(String), status: 'running' });
        const waiting = await waitFor('run at approval', async () => {
          const r = await lastValueFrom(client.send<Json>(OrchestratorPatterns.GetWorkflowRun, { run_id: run.run_id }));
          return r.status === 'input_required' ? r : undefined;
        });
        expect(waiting.pending_approval.decisions).toEqual(['approve', 'reject']);
        await expect(
          lastValueFrom(client.send(OrchestratorPatterns.StartWorkflow, { name: 'nope_flow', input: {} })),
        ).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
      } finally {
        await client.close();
      }
    });

    it('serves the same patterns through Nest’s built-in Redis transport (stock ClientProxy)', async () => {
      // Nest's Redis transport is pub/sub: every orchestrator on this Redis hears the request and the first reply
      // wins, so the test checks the effect in its own database (the idempotency key makes it one task per deployment).
      const client: ClientProxy = ClientProxyFactory.create({
        transport: Transport.REDIS,
        options: nestRedisOptions(TEST_REDIS_URL),
      });
      const key = `nest-redis-${randomUUID()}`;
      try {
        await client.connect();
        const submitted = await lastValueFrom(
          client.send<Json>(OrchestratorPatterns.SubmitTask, {
            title: 'via nest redis',
            role: 'backend_dev',
            idempotency_key: key,
          }),
        );
        expect(submitted.task_id).toEqual(expect.any(String));
        const ours = await waitFor('the task submitted over Nest Redis', async () => {
          const r = await system.call('GET', '/api/tasks?role=backend_dev&limit=500');
          return (r.body.tasks as Json[]).find((t) => t.idempotency_key === key);
        });
        expect((await system.waitTask(ours.task_id)).status).toBe('completed');
        await expect(
          lastValueFrom(client.send(OrchestratorPatterns.GetTask, { task_id: 'nope' })),
        ).rejects.toMatchObject({ message: expect.stringContaining('task_id') });
        await expect(
          lastValueFrom(client.send(OrchestratorPatterns.StartWorkflow, { name: 'feature_delivery' })),
        ).rejects.toMatchObject({ message: expect.stringContaining('input') });
      } finally {
        await client.close();
      }
    });
  });
});
