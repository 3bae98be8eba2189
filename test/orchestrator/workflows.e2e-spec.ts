import { randomUUID } from 'node:crypto';
import { SseReader } from '../support/sse-reader';
import { Json, TestSystem } from './support/system';

jest.setTimeout(180_000);

const TOPICS = ['Cardiology: atrial fibrillation', 'Pulmonology: community-acquired pneumonia'];

describe('orchestrator workflows (real registry, agent hosts for all 46 agents, PostgreSQL, Redis)', () => {
  const system = new TestSystem();

  beforeAll(async () => {
    await system.start({ hosts: ['all'] });
    await system.agentsOnline(['PM-001', 'DEV-001', 'QA-001', 'DEVOPS-001', 'MED-001']);
  });

  afterAll(async () => {
    await system.stop();
  });

  const startRun = async (name: string, input: Json) => {
    const r = await system.call('POST', `/api/workflows/${name}/runs`, { input });
    expect(r.status).toBe(202);
    return r.body.run_id as string;
  };

  it('lists the three shipped workflows', async () => {
    const r = await system.call('GET', '/api/workflows');
    expect(r.status).toBe(200);
    expect(r.body.workflows.map((w: Json) => w.name)).toEqual([
      'feature_delivery',
      'mcq_generation',
      'project_planning',
    ]);
  });

  it('mcq_generation: PM-001 plans, matching specialists draft in parallel, QA-001 reviews, approved items are collected', async () => {
    const runId = await startRun('mcq_generation', { topics: TOPICS });
    const run = await system.waitRun(runId, ['completed', 'failed']);
    expect(run.status).toBe('completed');
    expect(run.output.approved_items).toHaveLength(2);
    // Items carry the topic the plan assigned, not the step's title ("Draft MCQ: ...").
    expect(run.output.approved_items.map((i: Json) => i.item.topic).sort()).toEqual([...TOPICS].sort());
    expect(run.output.approved_items.map((i: Json) => i.item.options.length)).toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
    const tasks = (await system.call('GET', `/api/tasks?workflow_run_id=${runId}&limit=100`)).body.tasks as Json[];
    const plan = tasks.find((t) => t.step_key === 'plan#1');
    expect(plan.agent_id).toBe('PM-001');
    const drafts = tasks.filter((t) => /draft#1$/.test(t.step_key));
    expect(drafts.map((d) => d.role)).toEqual(['medical_expert', 'medical_expert']);
    expect(drafts.map((d) => d.capability).sort()).toEqual(['cardiology', 'pulmonology']);
    expect(tasks.filter((t) => /review#1$/.test(t.step_key)).every((t) => t.agent_id === 'QA-001')).toBe(true);
    expect(run.steps.filter((s: Json) => s.status === 'completed').length).toBeGreaterThanOrEqual(8);
  });

  it('mcq_generation: a revise verdict loops back to the author, and the loop stops after three revisions', async () => {
    const once = await startRun('mcq_generation', {
      topics: [TOPICS[0]],
      scripted: { review: { verdict_sequence: ['revise', 'approve'] } },
    });
    const always = await startRun('mcq_generation', {
      topics: [TOPICS[1]],
      scripted: { review: { verdict: 'revise' } },
    });
    const [a, b] = await Promise.all([
      system.waitRun(once, ['completed', 'failed']),
      system.waitRun(always, ['completed', 'failed']),
    ]);
    expect(a.status).toBe('completed');
    expect(a.output.approved_items).toHaveLength(1);
    expect(a.output.approved_items[0].revisions).toBe(1);
    expect(a.steps.map((s: Json) => s.step_key)).toEqual(
      expect.arrayContaining(['author[0].draft#1', 'author[0].review#1', 'author[0].draft#2', 'author[0].review#2']),
    );
    expect(b.status).toBe('completed');
    expect(b.output.approved_items).toEqual([]);
    expect(b.output.rejected_items).toHaveLength(1);
    expect(b.output.rejected_items[0].revisions).toBe(3);
    const drafts = b.steps.filter((s: Json) => s.step_id === 'draft');
    expect(drafts).toHaveLength(4);
  });

  it('feature_delivery: pauses for human approval (input_required) and completes after resume', async () => {
    const runId = await startRun('feature_delivery', { feature: 'Password reset', developer_role: 'backend_dev' });
    const waiting = await system.waitRun(runId, ['input_required', 'failed']);
    expect(waiting.status).toBe('input_required');
    expect(waiting.pending_approval).toMatchObject({ step_key: 'approval#1', decisions: ['approve', 'reject'] });
    expect(waiting.steps.map((s: Json) => s.step_key)).toEqual([
      'design#1',
      'implement#1',
      'test_plan#1',
      'deployment_plan#1',
      'approval#1',
    ]);
    const tasks = (await system.call('GET', `/api/tasks?workflow_run_id=${runId}`)).body.tasks as Json[];
    expect(tasks.find((t) => t.step_key === 'design#1').agent_id).toBe('DEV-001');
    expect(tasks.find((t) => t.step_key === 'implement#1').role).toBe('backend_dev');

    const bad = await system.call('POST', `/api/workflows/runs/${runId}/resume`, { decision: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('decision');
    const r = await system.call('POST', `/api/workflows/runs/${runId}/resume`, {
      decision: 'approve',
      comment: 'ship it',
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('completed');
    expect(r.body.output).toMatchObject({
      approval: { decision: 'approve', comment: 'ship it' },
      design: { title: expect.any(String) },
    });
    const again = await system.call('POST', `/api/workflows/runs/${runId}/resume`, { decision: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('run_id');
  });

  it('feature_delivery: a reject decision fails the run with the reason', async () => {
    const runId = await startRun('feature_delivery', { feature: 'Dark mode' });
    await system.waitRun(runId, ['input_required']);
    const r = await system.call('POST', `/api/workflows/runs/${runId}/resume`, {
      decision: 'reject',
      comment: 'not this quarter',
    });
    expect(r.body.status).toBe('failed');
    expect(r.body.error).toContain('not this quarter');
  });

  it('project_planning: runs the planned task graph in dependency order, branches in parallel, and reports', async () => {
    const runId = await startRun('project_planning', { brief: 'Patient portal appointment booking' });
    const run = await system.waitRun(runId, ['completed', 'failed']);
    expect(run.status).toBe('completed');
    expect(run.output.completed).toBe(run.output.tasks.length);
    expect(run.output.tasks.length).toBeGreaterThanOrEqual(3);
    const tasks = (await system.call('GET', `/api/tasks?workflow_run_id=${runId}&limit=100`)).body.tasks as Json[];
    const byNode = new Map(
      tasks.filter((t) => t.step_key.startsWith('execute#1/')).map((t) => [t.step_key.split('/')[1], t]),
    );
    for (const node of run.output.tasks as Json[]) {
      const task = byNode.get(node.id);
      expect(task.status).toBe('completed');
      for (const dep of node.depends_on)
        expect(new Date(task.started_at).getTime()).toBeGreaterThanOrEqual(
          new Date(byNode.get(dep).completed_at).getTime(),
        );
    }
  });

  it('cancels a run: its running task is stopped and the run ends canceled', async () => {
    const runId = await startRun('feature_delivery', {
      feature: 'Slow feature',
      scripted: { design: { latency_ms: 20_000 } },
    });
    const taskId = await (async () => {
      for (;;) {
        const tasks = (await system.call('GET', `/api/tasks?workflow_run_id=${runId}`)).body.tasks as Json[];
        if (tasks[0]?.status === 'in_progress') return tasks[0].task_id as string;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const r = await system.call('POST', `/api/workflows/runs/${runId}/cancel`);
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('canceled');
    const task = await system.waitTask(taskId, ['canceled', 'completed', 'failed'], 15_000);
    expect(task.status).toBe('canceled');
    const again = await system.call('POST', `/api/workflows/runs/${runId}/cancel`);
    expect(again.status).toBe(409);
  });

  it('streams a run’s progress over SSE from the beginning to its end', async () => {
    const runId = await startRun('mcq_generation', { topics: [TOPICS[0]] });
    const sse = new SseReader(`${system.url}/api/workflows/runs/${runId}/events`);
    await sse.open();
    const first = await sse.next();
    expect(first.event).toBe('run_started');
    const end = await sse.next((m) => m.event.startsWith('run_'), 60_000);
    sse.close();
    expect(end.event).toBe('run_completed');
  });

  it.each([
    ['POST', '/api/workflows/no_such_flow/runs', { input: {} }, 404, 'name'],
    ['POST', '/api/workflows/Bad-Name/runs', { input: {} }, 400, 'name'],
    ['POST', '/api/workflows/mcq_generation/runs', {}, 400, 'input'],
    ['POST', '/api/workflows/mcq_generation/runs', { input: [] }, 400, 'input'],
    ['POST', '/api/workflows/mcq_generation/runs', { input: { topics: [] } }, 400, 'input.topics'],
    ['POST', '/api/workflows/feature_delivery/runs', { input: { nope: 1 } }, 400, 'input.feature'],
    ['GET', '/api/workflows/runs/not-a-uuid', undefined, 400, 'run_id'],
    ['GET', `/api/workflows/runs/${randomUUID()}`, undefined, 404, 'run_id'],
    ['POST', `/api/workflows/runs/${randomUUID()}/cancel`, undefined, 404, 'run_id'],
    ['POST', `/api/workflows/runs/${randomUUID()}/resume`, { decision: 'approve' }, 404, 'run_id'],
    ['POST', `/api/workflows/runs/${randomUUID()}/resume`, {}, 400, 'decision'],
    ['POST', `/api/workflows/runs/${randomUUID()}/resume`, { decision: 'approve', extra: 1 }, 400, 'extra'],
    ['GET', `/api/workflows/runs/${randomUUID()}/events`, undefined, 404, 'run_id'],
  ])('%s %s answers %i naming the field', async (method, path, body, status, field) => {
    const r = await system.call(method, path, body);
    expect(r.status).toBe(status);
    expect(r.body.message).toContain(field);
  });

  it('answers 409 to resuming a run that is not waiting', async () => {
    const runId = await startRun('mcq_generation', { topics: [TOPICS[0]] });
    const r = await system.call('POST', `/api/workflows/runs/${runId}/resume`, { decision: 'approve' });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('RUN_NOT_WAITING');
    await system.waitRun(runId, ['completed']);
  });
});
