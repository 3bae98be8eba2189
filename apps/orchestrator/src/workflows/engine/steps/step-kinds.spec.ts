import { StepDefinition, WorkflowDefinition } from '@app/contracts';
import { EngineResult, NewWorkflowTask, StepRecord } from '../run-state';
import { EngineError, WorkflowEngine } from '../workflow-engine';

/** Small inline workflows, one step kind at a time (the shipped definitions are covered by workflow-engine.spec). */
function workflow(start: string, steps: Record<string, StepDefinition>): WorkflowDefinition {
  return { name: 'probe', description: 'probe', start, steps };
}

function engineFor(def: WorkflowDefinition, foreachMaxItems?: number): WorkflowEngine {
  let n = 0;
  return new WorkflowEngine(def, () => `task-${++n}`, foreachMaxItems);
}

const created = (r: EngineResult): NewWorkflowTask[] =>
  r.actions.flatMap((a) => (a.type === 'create_task' ? [a.task] : []));
const records = (r: EngineResult): StepRecord[] => r.actions.flatMap((a) => (a.type === 'step' ? [a.record] : []));
const eventTypes = (r: EngineResult): string[] => r.actions.flatMap((a) => (a.type === 'event' ? [a.event.type] : []));

describe('task step', () => {
  const def = workflow('work', {
    work: {
      type: 'task',
      title: 'Work on {{ $.input.topic }}',
      assign: { role: '$.input.role', min_proficiency: 3 },
      input: { topic: '$.input.topic' },
      priority: 2,
      next: 'done',
    },
    done: { type: 'end', output: { result: '$.steps.work.output' } },
  });

  it('creates one task from the rendered title, input and resolved assignment', () => {
    const start = engineFor(def).start({ topic: 'x', role: 'writer' });
    expect(created(start)).toEqual([
      expect.objectContaining({
        task_id: 'task-1',
        step_key: 'work#1',
        title: 'Work on x',
        input: { topic: 'x' },
        role: 'writer',
        min_proficiency: 3,
        priority: 2,
      }),
    ]);
    expect(start.state.waiting).toEqual({ 'task-1': { frame: '', step_key: 'work#1' } });
    expect(eventTypes(start)).toEqual(['run_started', 'step_started']);
  });

  it('passes the task output to the next step', () => {
    const engine = engineFor(def);
    const start = engine.start({ topic: 'x', role: 'writer' });
    const r = engine.onTaskFinished(start.state, 'task-1', { status: 'completed', output: 42 });
    expect(r.state.status).toBe('completed');
    expect(r.state.output).toEqual({ result: 42 });
  });

  it('fails the step when the assignment resolves to nobody', () => {
    const start = engineFor(def).start({ topic: 'x' });
    expect(created(start)).toEqual([]);
    expect(start.state.status).toBe('failed');
    expect(start.state.error).toContain('resolved to no agent, role or capability');
  });

  it('follows on_failure with the error in the step output, and names a canceled task', () => {
    const withFallback = workflow('work', {
      work: { type: 'task', title: 't', assign: { role: 'r' }, on_failure: 'recover' },
      recover: { type: 'end', output: '$.steps.work.output' },
    });
    const engine = engineFor(withFallback);
    const start = engine.start({});
    const r = engine.onTaskFinished(start.state, 'task-1', { status: 'canceled', error: 'ignored' });
    expect(r.state.status).toBe('completed');
    expect(r.state.output).toEqual({ error: 'task task-1 was canceled' });
  });
});

describe('foreach step', () => {
  const def = workflow('each', {
    each: {
      type: 'foreach',
      items: '$.input.items',
      body: {
        start: 'work',
        steps: {
          work: { type: 'task', title: 'item {{ $.index }}', assign: { role: 'r' }, input: { item: '$.item' } },
        },
      },
      next: 'done',
    },
    done: { type: 'end', output: '$.steps.each.output' },
  });

  it('starts one child per item and fans in every outcome in item order', () => {
    const engine = engineFor(def);
    const start = engine.start({ items: ['a', 'b'] });
    expect(created(start).map((t) => [t.step_key, t.input])).toEqual([
      ['each[0].work#1', { item: 'a' }],
      ['each[1].work#1', { item: 'b' }],
    ]);
    let r = engine.onTaskFinished(start.state, 'task-2', { status: 'failed', error: 'no' });
    expect(r.state.status).toBe('running');
    r = engine.onTaskFinished(r.state, 'task-1', { status: 'completed', output: 'A' });
    expect(r.state.status).toBe('completed');
    expect(r.state.output).toEqual({
      results: [
        { index: 0, outcome: 'completed', output: 'A' },
        { index: 1, outcome: 'failed', output: null, error: 'step each[1].work#1 failed: no' },
      ],
      outcomes: { failed: [null], completed: ['A'] },
    });
    // The children's frames are gone once they fanned in.
    expect(Object.keys(r.state.frames)).toEqual(['']);
  });

  it('completes at once with an empty fan-in for an empty list', () => {
    const start = engineFor(def).start({ items: [] });
    expect(created(start)).toEqual([]);
    expect(start.state.status).toBe('completed');
    expect(start.state.output).toEqual({ results: [], outcomes: { failed: [], completed: [] } });
  });

  it('fails the step when items is not a list', () => {
    const start = engineFor(def).start({ items: 'a' });
    expect(start.state.status).toBe('failed');
    expect(start.state.error).toContain('foreach items $.input.items is not a list');
  });

  it('cancels every child frame and its task when the run is canceled', () => {
    const engine = engineFor(def);
    const start = engine.start({ items: ['a', 'b'] });
    const r = engine.cancel(start.state, 'stop');
    expect(r.actions.filter((a) => a.type === 'cancel_task')).toEqual([
      { type: 'cancel_task', task_id: 'task-1' },
      { type: 'cancel_task', task_id: 'task-2' },
    ]);
    expect(records(r).map((s) => [s.step_key, s.status])).toEqual([
      ['each#1', 'canceled'],
      ['each[0].work#1', 'canceled'],
      ['each[1].work#1', 'canceled'],
    ]);
  });
});

describe('dag step', () => {
  const def = workflow('graph', {
    graph: {
      type: 'dag',
      tasks: '$.input.tasks',
      assign_default: { role: '$.input.default_role' },
      next: 'done',
    },
    done: { type: 'end', output: '$.steps.graph.output' },
  });
  const tasks = [
    { id: 'a', title: 'A', role: 'r' },
    { id: 'b', title: 'B', depends_on: ['a'] },
  ];

  it('gives nodes without an assignment the default one', () => {
    const engine = engineFor(def);
    const start = engine.start({ tasks, default_role: 'fallback' });
    expect(created(start).map((t) => [t.step_key, t.role])).toEqual([['graph#1/a', 'r']]);
    const r = engine.onTaskFinished(start.state, 'task-1', { status: 'completed', output: 1 });
    expect(created(r).map((t) => [t.step_key, t.role, t.input])).toEqual([
      ['graph#1/b', 'fallback', { task: expect.objectContaining({ id: 'b' }), dependencies: { a: 1 } }],
    ]);
  });

  it('fails a node that no one can run and skips its dependents', () => {
    const start = engineFor(def).start({ tasks: [{ id: 'a', title: 'A' }, ...tasks.slice(1)] });
    expect(created(start)).toEqual([]);
    expect(records(start).map((s) => [s.step_key, s.status, s.error])).toEqual([
      ['graph#1', 'running', undefined],
      ['graph#1/a', 'failed', 'names no role, capability or agent'],
      ['graph#1/b', 'skipped', 'dependency a did not complete'],
      ['graph#1', 'failed', 'task a failed: names no role, capability or agent'],
    ]);
    expect(start.state.status).toBe('failed');
  });

  it('cancels its running and waiting nodes when the run is canceled', () => {
    const engine = engineFor(def);
    const start = engine.start({ tasks });
    const r = engine.cancel(start.state, 'stop');
    expect(r.actions).toContainEqual({ type: 'cancel_task', task_id: 'task-1' });
    expect(records(r).map((s) => [s.step_key, s.status])).toEqual([
      ['graph#1', 'canceled'],
      ['graph#1/a', 'canceled'],
      ['graph#1/b', 'canceled'],
    ]);
  });
});

describe('approval step', () => {
  const def = workflow('ask', {
    ask: {
      type: 'approval',
      prompt: 'Ship {{ $.input.name }}?',
      decisions: ['ship', 'hold'],
      next: {
        cases: [{ when: { path: '$.steps.ask.output.decision', equals: 'ship' }, to: 'shipped' }],
        default: 'held',
      },
    },
    shipped: { type: 'end', output: '$.steps.ask.output' },
    held: { type: 'end', status: 'failed', error: 'held: {{ $.steps.ask.output.comment }}' },
  });

  it('waits with the rendered prompt and its own decisions', () => {
    const start = engineFor(def).start({ name: 'v2' });
    expect(start.state.status).toBe('input_required');
    expect(start.state.approval).toEqual({
      frame: '',
      step_key: 'ask#1',
      prompt: 'Ship v2?',
      decisions: ['ship', 'hold'],
    });
    expect(records(start)).toEqual([expect.objectContaining({ step_key: 'ask#1', status: 'waiting_approval' })]);
    expect(eventTypes(start)).toEqual(['run_started', 'input_required']);
  });

  it('routes on the decision and keeps the comment in the step output', () => {
    const engine = engineFor(def);
    const start = engine.start({ name: 'v2' });
    const shipped = engine.resume(start.state, 'ship', 'go');
    expect(shipped.state).toMatchObject({ status: 'completed', output: { decision: 'ship', comment: 'go' } });
    expect(shipped.state.approval).toBeUndefined();
    const held = engine.resume(start.state, 'hold', 'later');
    expect(held.state).toMatchObject({ status: 'failed', error: 'held: later' });
  });

  it('refuses a decision it did not offer with INVALID_DECISION', () => {
    const engine = engineFor(def);
    const start = engine.start({ name: 'v2' });
    expect(() => engine.resume(start.state, 'approve')).toThrow(
      expect.objectContaining({ code: 'INVALID_DECISION' }) as EngineError,
    );
  });

  it('is no longer pending once the run is canceled', () => {
    const engine = engineFor(def);
    const r = engine.cancel(engine.start({ name: 'v2' }).state, 'stop');
    expect(r.state).toMatchObject({ status: 'canceled', error: 'stop' });
    expect(r.state.approval).toBeUndefined();
    expect(() => engine.resume(r.state, 'ship')).toThrow(
      expect.objectContaining({ code: 'RUN_NOT_WAITING' }) as EngineError,
    );
  });
});

describe('end step', () => {
  it('fails the run with a default error when it ends failed', () => {
    const r = engineFor(workflow('stop', { stop: { type: 'end', status: 'failed' } })).start({});
    expect(r.state).toMatchObject({ status: 'failed', error: 'ended at stop' });
    expect(eventTypes(r)).toEqual(['run_started', 'step_completed', 'run_failed']);
  });
});

describe('WorkflowEngine.fail', () => {
  it('ends the run failed and cancels its outstanding task', () => {
    const engine = engineFor(workflow('work', { work: { type: 'task', title: 't', assign: { role: 'r' } } }));
    const r = engine.fail(engine.start({}).state, 'budget spent');
    expect(r.state).toMatchObject({ status: 'failed', error: 'budget spent', waiting: {} });
    expect(r.actions).toContainEqual({ type: 'cancel_task', task_id: 'task-1' });
    expect(eventTypes(r)).toEqual(['run_failed']);
  });
});
