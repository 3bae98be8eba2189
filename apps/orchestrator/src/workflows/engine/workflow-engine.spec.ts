import { join } from 'node:path';
import { loadDefinitions } from '../definition/definition-loader';
import { WorkflowDefinition } from '@app/contracts';
import { EngineResult, NewWorkflowTask, RunState } from './run-state';
import { EngineError, parseDagNodes, WorkflowEngine } from './workflow-engine';

const definitions = loadDefinitions(join(__dirname, '../../../workflows'));

function engineFor(def: WorkflowDefinition): WorkflowEngine {
  let n = 0;
  return new WorkflowEngine(def, () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`);
}

const created = (r: EngineResult): NewWorkflowTask[] =>
  r.actions.flatMap((a) => (a.type === 'create_task' ? [a.task] : []));

/** Drives a run by answering every created task with `answer(task)` until nothing is left. */
function drive(
  engine: WorkflowEngine,
  start: EngineResult,
  answer: (t: NewWorkflowTask) => unknown,
): { state: RunState; tasks: NewWorkflowTask[] } {
  let state = start.state;
  const queue = created(start);
  const all = [...queue];
  while (queue.length > 0) {
    const task = queue.shift()!;
    const r = engine.onTaskFinished(state, task.task_id, { status: 'completed', output: answer(task) });
    state = r.state;
    const more = created(r);
    queue.push(...more);
    all.push(...more);
  }
  return { state, tasks: all };
}

const plan = (topics: string[]) => ({
  summary: 'plan',
  tasks: topics.map((t, i) => ({
    id: `t${i + 1}`,
    title: `Draft MCQ: ${t}`,
    topic: t,
    description: t,
    capability: 'cardiology',
    depends_on: [],
  })),
});

describe('WorkflowEngine', () => {
  describe('mcq_generation', () => {
    const def = definitions.get('mcq_generation')!;

    it('fans out one draft per planned topic, reviews each and collects approved items', () => {
      const engine = engineFor(def);
      const { state, tasks } = drive(engine, engine.start({ topics: ['a', 'b', 'c'] }), (t) => {
        if (t.step_key.startsWith('plan')) return plan(['a', 'b', 'c']);
        if (t.step_key.includes('draft')) return { topic: t.input.topic, stem: 's' };
        return { verdict: 'approve', summary: 'ok', issues: [] };
      });
      expect(state.status).toBe('completed');
      expect(tasks.filter((t) => t.step_key.includes('.draft#'))).toHaveLength(3);
      expect(tasks.find((t) => t.step_key === 'author[1].draft#1')).toMatchObject({
        capability: 'cardiology',
        role: 'medical_expert',
      });
      const output = state.output as { approved_items: { item: { topic: string } }[]; rejected_items: unknown[] };
      // The draft step gets the topic the plan assigned, not the task title.
      expect(output.approved_items.map((i) => i.item.topic)).toEqual(['a', 'b', 'c']);
      expect(output.rejected_items).toEqual([]);
      expect(Object.keys(state.waiting)).toEqual([]);
    });

    it('loops a revise verdict back to the author with the review and the revision number', () => {
      const engine = engineFor(def);
      const verdicts = ['revise', 'approve'];
      const { state, tasks } = drive(engine, engine.start({ topics: ['a'] }), (t) => {
        if (t.step_key.startsWith('plan')) return plan(['a']);
        if (t.step_key.includes('draft')) return { topic: 'a', version: t.input.revision };
        return {
          verdict: verdicts[t.input.revision as number],
          summary: 's',
          issues: [{ severity: 'minor', description: 'x' }],
        };
      });
      const drafts = tasks.filter((t) => t.step_key.includes('.draft#'));
      expect(drafts.map((d) => d.step_key)).toEqual(['author[0].draft#1', 'author[0].draft#2']);
      expect(drafts[1].input).toMatchObject({
        revision: 1,
        review: { verdict: 'revise' },
        previous_draft: { version: 0 },
      });
      expect((state.output as { approved_items: { revisions: number }[] }).approved_items[0].revisions).toBe(1);
    });

    it('stops the revise loop after three revisions and rejects the item', () => {
      const engine = engineFor(def);
      const { state, tasks } = drive(engine, engine.start({ topics: ['a'] }), (t) => {
        if (t.step_key.startsWith('plan')) return plan(['a']);
        if (t.step_key.includes('draft')) return { topic: 'a' };
        return { verdict: 'revise', summary: 's', issues: [] };
      });
      expect(tasks.filter((t) => t.step_key.includes('.draft#'))).toHaveLength(4);
      expect(tasks.filter((t) => t.step_key.includes('.review#'))).toHaveLength(4);
      const output = state.output as { approved_items: unknown[]; rejected_items: { revisions: number }[] };
      expect(state.status).toBe('completed');
      expect(output.approved_items).toEqual([]);
      expect(output.rejected_items[0].revisions).toBe(3);
    });

    it('records a failed item without failing the other items', () => {
      const engine = engineFor(def);
      const start = engine.start({ topics: ['a', 'b'] });
      let r = engine.onTaskFinished(start.state, created(start)[0].task_id, {
        status: 'completed',
        output: plan(['a', 'b']),
      });
      const [d0, d1] = created(r);
      r = engine.onTaskFinished(r.state, d0.task_id, { status: 'failed', error: 'model down' });
      expect(r.state.status).toBe('running');
      r = engine.onTaskFinished(r.state, d1.task_id, { status: 'completed', output: { topic: 'b' } });
      r = engine.onTaskFinished(r.state, created(r)[0].task_id, {
        status: 'completed',
        output: { verdict: 'approve' },
      });
      expect(r.state.status).toBe('completed');
      const out = r.state.output as { approved_items: unknown[]; failed_items: unknown[] };
      expect(out.approved_items).toHaveLength(1);
      expect(out.failed_items).toHaveLength(1);
    });

    it('ignores a duplicate or unknown task notification', () => {
      const engine = engineFor(def);
      const start = engine.start({ topics: ['a'] });
      const planTask = created(start)[0];
      const first = engine.onTaskFinished(start.state, planTask.task_id, { status: 'completed', output: plan(['a']) });
      const again = engine.onTaskFinished(first.state, planTask.task_id, { status: 'completed', output: plan(['a']) });
      expect(again.actions).toEqual([]);
      expect(again.state).toEqual(first.state);
    });

    it('fails the run when the plan task fails', () => {
      const engine = engineFor(def);
      const start = engine.start({ topics: ['a'] });
      const r = engine.onTaskFinished(start.state, created(start)[0].task_id, { status: 'failed', error: 'boom' });
      expect(r.state.status).toBe('failed');
      expect(r.state.error).toContain('boom');
    });
  });

  describe('feature_delivery', () => {
    const def = definitions.get('feature_delivery')!;

    function toApproval(engine: WorkflowEngine, input: Record<string, unknown>) {
      return drive(engine, engine.start(input), (t) => ({ step: t.step_key }));
    }

    it('pauses for approval after the four tasks and completes on approve', () => {
      const engine = engineFor(def);
      const { state, tasks } = toApproval(engine, { feature: 'login', developer_role: 'frontend_dev' });
      expect(tasks.map((t) => t.step_key)).toEqual(['design#1', 'implement#1', 'test_plan#1', 'deployment_plan#1']);
      expect(tasks[0].agent_id).toBe('DEV-001');
      expect(tasks[1]).toMatchObject({ capability: 'code_implementation', role: 'frontend_dev' });
      expect(state.status).toBe('input_required');
      expect(state.approval?.decisions).toEqual(['approve', 'reject']);
      const done = engine.resume(state, 'approve', 'ship it');
      expect(done.state.status).toBe('completed');
      expect(done.state.output).toMatchObject({
        approval: { decision: 'approve', comment: 'ship it' },
        design: { step: 'design#1' },
      });
    });

    it('fails the run on reject and refuses an unknown decision or a second resume', () => {
      const engine = engineFor(def);
      const { state } = toApproval(engine, { feature: 'login' });
      expect(() => engine.resume(state, 'maybe')).toThrow(EngineError);
      const rejected = engine.resume(state, 'reject', 'not now');
      expect(rejected.state.status).toBe('failed');
      expect(rejected.state.error).toContain('not now');
      expect(() => engine.resume(rejected.state, 'approve')).toThrow(/not waiting/);
    });

    it('cancels a run and its outstanding task', () => {
      const engine = engineFor(def);
      const start = engine.start({ feature: 'x' });
      const r = engine.cancel(start.state, 'user');
      expect(r.state.status).toBe('canceled');
      expect(r.actions).toContainEqual({ type: 'cancel_task', task_id: created(start)[0].task_id });
      expect(() => engine.cancel(r.state, 'again')).toThrow(EngineError);
    });
  });

  describe('project_planning', () => {
    const def = definitions.get('project_planning')!;
    const graph = {
      summary: 'g',
      tasks: [
        { id: 'design', title: 'D', description: 'd', capability: 'system_design', depends_on: [] },
        { id: 'build', title: 'B', description: 'b', capability: 'code_implementation', depends_on: ['design'] },
        { id: 'test', title: 'T', description: 't', capability: 'test_planning', depends_on: ['build'] },
        { id: 'review', title: 'R', description: 'r', role: 'qa_engineer', depends_on: ['build'] },
        {
          id: 'deploy',
          title: 'P',
          description: 'p',
          capability: 'deployment_planning',
          depends_on: ['test', 'review'],
        },
      ],
    };

    it('runs the task graph in dependency order with independent branches in parallel', () => {
      const engine = engineFor(def);
      const start = engine.start({ brief: 'build it' });
      let r = engine.onTaskFinished(start.state, created(start)[0].task_id, { status: 'completed', output: graph });
      expect(created(r).map((t) => t.step_key)).toEqual(['execute#1/design']);
      r = engine.onTaskFinished(r.state, created(r)[0].task_id, { status: 'completed', output: { d: 1 } });
      r = engine.onTaskFinished(r.state, created(r)[0].task_id, { status: 'completed', output: { b: 1 } });
      const parallel = created(r);
      expect(parallel.map((t) => t.step_key)).toEqual(['execute#1/test', 'execute#1/review']);
      expect(parallel[0].input).toMatchObject({ dependencies: { build: { b: 1 } }, brief: 'build it' });
      r = engine.onTaskFinished(r.state, parallel[1].task_id, { status: 'completed', output: { r: 1 } });
      expect(created(r)).toEqual([]);
      r = engine.onTaskFinished(r.state, parallel[0].task_id, { status: 'completed', output: { t: 1 } });
      expect(created(r)[0].input).toMatchObject({ dependencies: { test: { t: 1 }, review: { r: 1 } } });
      r = engine.onTaskFinished(r.state, created(r)[0].task_id, { status: 'completed', output: { p: 1 } });
      expect(r.state.status).toBe('completed');
      expect(r.state.output).toMatchObject({ completed: 5, failed: 0, skipped: 0 });
    });

    it('skips dependents of a failed task and fails the run with a partial report', () => {
      const engine = engineFor(def);
      const start = engine.start({ brief: 'b' });
      let r = engine.onTaskFinished(start.state, created(start)[0].task_id, { status: 'completed', output: graph });
      r = engine.onTaskFinished(r.state, created(r)[0].task_id, { status: 'failed', error: 'no design' });
      expect(r.state.status).toBe('failed');
      expect(r.state.output).toMatchObject({ completed: 0, failed: 1, skipped: 4 });
      expect(r.state.error).toContain('no design');
    });

    it('fails the run when the plan is not a valid graph', () => {
      const engine = engineFor(def);
      const start = engine.start({ brief: 'b' });
      const cyclic = {
        tasks: [
          { id: 'a', title: 'a', role: 'backend_dev', depends_on: ['b'] },
          { id: 'b', title: 'b', role: 'backend_dev', depends_on: ['a'] },
        ],
      };
      const r = engine.onTaskFinished(start.state, created(start)[0].task_id, { status: 'completed', output: cyclic });
      expect(r.state.status).toBe('failed');
      expect(r.state.error).toContain('cycle');
    });
  });

  it('parseDagNodes names the problem', () => {
    expect(parseDagNodes('x')).toBe('is not a list');
    expect(parseDagNodes([{ id: 'a', depends_on: ['zz'] }])).toContain('unknown task zz');
    expect(parseDagNodes([{ id: 'a' }, { id: 'a' }])).toContain('appears twice');
  });
});

describe('WorkflowEngine limits', () => {
  it('fails a foreach with more items than WORKFLOW_FOREACH_MAX_ITEMS instead of starting them', () => {
    const def = definitions.get('mcq_generation')!;
    let n = 0;
    const engine = new WorkflowEngine(def, () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, 3);
    const topics = ['a', 'b', 'c', 'd'];
    const { state, tasks } = drive(engine, engine.start({ topics }), (t) => {
      if (t.step_key.startsWith('plan')) return plan(topics);
      return { verdict: 'approve', summary: 'ok', issues: [] };
    });
    expect(tasks.filter((t) => t.step_key.includes('.draft#'))).toHaveLength(0);
    expect(state.status).toBe('failed');
    expect(JSON.stringify(state)).toContain('has 4 items; at most 3');
  });
});
