// Over 400 lines: kept whole while wave 2's branches merged into it; splitting it by responsibility is issue 10's
// named work (docs/architecture.md, "Known debt"), to be done before more features land here.
import { randomUUID } from 'node:crypto';
import {
  Assignment,
  DagStep,
  ForeachStep,
  StepDefinition,
  WorkflowDefinition,
  WorkflowGraph,
} from '../definition/workflow-definition';
import { evaluate, matches, render, resolvePath } from './expressions';
import {
  DagNode,
  EngineAction,
  EngineResult,
  FrameState,
  RunState,
  StepRecord,
  TERMINAL_RUN_STATUSES,
} from './run-state';

export type EngineErrorCode = 'RUN_NOT_WAITING' | 'INVALID_DECISION' | 'RUN_FINISHED';

/** A refused command (resume of a run that is not waiting, a decision not offered, ...). */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export type TaskOutcome = { status: 'completed'; output: unknown } | { status: 'failed' | 'canceled'; error: string };

const ROOT = '';
const DEFAULT_DECISIONS = ['approve', 'reject'];

/**
 * The workflow engine: a pure function of (definition, state, event) to (new state, actions). It
 * never touches I/O, so the caller persists the state and carries out the actions in one
 * transaction, and a restarted orchestrator continues from the stored state.
 */
export class WorkflowEngine {
  constructor(
    private readonly definition: WorkflowDefinition,
    private readonly newId: () => string = randomUUID,
    /** WORKFLOW_FOREACH_MAX_ITEMS: the most children one foreach starts (items come from input or a model). */
    private readonly foreachMaxItems = 200,
  ) {}

  start(input: Record<string, unknown>): EngineResult {
    const state: RunState = {
      version: 1,
      workflow: this.definition.name,
      status: 'running',
      input,
      frames: {},
      waiting: {},
    };
    const run = new RunStep(this.definition, state, this.newId, this.foreachMaxItems);
    run.event({ type: 'run_started', detail: { workflow: this.definition.name } });
    run.frames[ROOT] = newFrame(ROOT, []);
    run.enter(run.frames[ROOT], this.definition.start);
    return run.result();
  }

  onTaskFinished(current: RunState, taskId: string, outcome: TaskOutcome): EngineResult {
    const run = new RunStep(this.definition, structuredClone(current), this.newId, this.foreachMaxItems);
    run.taskFinished(taskId, outcome);
    return run.result();
  }

  resume(current: RunState, decision: string, comment?: string): EngineResult {
    const run = new RunStep(this.definition, structuredClone(current), this.newId, this.foreachMaxItems);
    run.resume(decision, comment);
    return run.result();
  }

  cancel(current: RunState, reason: string): EngineResult {
    const run = new RunStep(this.definition, structuredClone(current), this.newId, this.foreachMaxItems);
    run.cancel(reason);
    return run.result();
  }

  /** Ends the run `failed` (its budget is spent): outstanding tasks are canceled as by cancel. */
  fail(current: RunState, reason: string): EngineResult {
    const run = new RunStep(this.definition, structuredClone(current), this.newId, this.foreachMaxItems);
    run.cancel(reason, 'failed');
    return run.result();
  }
}

function newFrame(id: string, graph: string[], extra: Partial<FrameState> = {}): FrameState {
  return { id, graph, visits: {}, traversals: {}, outputs: {}, status: 'running', ...extra };
}

function prefix(frameId: string): string {
  return frameId === ROOT ? '' : `${frameId}.`;
}

/** One event applied to one state; collects the actions it causes. */
class RunStep {
  private readonly actions: EngineAction[] = [];
  readonly frames: Record<string, FrameState>;

  constructor(
    private readonly definition: WorkflowDefinition,
    private readonly state: RunState,
    private readonly newId: () => string,
    private readonly foreachMaxItems: number,
  ) {
    this.frames = state.frames;
  }

  result(): EngineResult {
    return { state: this.state, actions: this.actions };
  }

  event(event: { type: string; step_key?: string; detail?: Record<string, unknown> }): void {
    this.actions.push({ type: 'event', event });
  }

  private record(record: StepRecord): void {
    this.actions.push({ type: 'step', record });
  }

  private get finished(): boolean {
    return TERMINAL_RUN_STATUSES.includes(this.state.status);
  }

  private graphOf(frame: FrameState): WorkflowGraph {
    let graph: WorkflowGraph = this.definition;
    for (const stepId of frame.graph) graph = (graph.steps[stepId] as ForeachStep).body;
    return graph;
  }

  private scope(frame: FrameState, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const steps: Record<string, unknown> = {};
    for (const [id, visits] of Object.entries(frame.visits)) {
      steps[id] = { output: frame.outputs[id], visits, iteration: visits - 1 };
    }
    const parent = frame.parent !== undefined ? this.scope(this.frames[frame.parent]) : undefined;
    return { input: this.state.input, steps, item: frame.item, index: frame.index, parent, ...extra };
  }

  private stepRecord(frame: FrameState, stepId: string, step: StepDefinition, patch: Partial<StepRecord>): StepRecord {
    return {
      step_key: frame.step_key ?? `${prefix(frame.id)}${stepId}#${frame.visits[stepId] ?? 1}`,
      step_id: stepId,
      frame: frame.id,
      type: step.type,
      visit: frame.visits[stepId] ?? 1,
      item_index: frame.index ?? null,
      status: 'running',
      task_id: null,
      ...patch,
    };
  }

  enter(frame: FrameState, stepId: string): void {
    if (this.finished || frame.status !== 'running') return;
    const step = this.graphOf(frame).steps[stepId];
    frame.visits[stepId] = (frame.visits[stepId] ?? 0) + 1;
    frame.current = stepId;
    frame.step_key = `${prefix(frame.id)}${stepId}#${frame.visits[stepId]}`;
    frame.task_id = undefined;
    const stepKey = frame.step_key;
    switch (step.type) {
      case 'task': {
        const scope = this.scope(frame);
        const assignment = resolveAssignment(step.assign, scope);
        if (typeof assignment === 'string') return this.failStep(frame, assignment);
        const taskId = this.newId();
        const input = evaluate(step.input ?? {}, scope);
        this.state.waiting[taskId] = { frame: frame.id, step_key: stepKey };
        frame.task_id = taskId;
        this.actions.push({
          type: 'create_task',
          task: {
            task_id: taskId,
            step_key: stepKey,
            title: render(step.title, scope).slice(0, 500),
            description: render(step.description ?? '', scope),
            input: isObject(input) ? input : { value: input },
            ...assignment,
            timeout_seconds: step.timeout_seconds,
            max_attempts: step.max_attempts,
            priority: step.priority,
          },
        });
        this.record(this.stepRecord(frame, stepId, step, { task_id: taskId }));
        this.event({ type: 'step_started', step_key: stepKey, detail: { task_id: taskId, ...assignment } });
        return;
      }
      case 'foreach': {
        const items = resolvePath(this.scope(frame), step.items);
        if (!Array.isArray(items)) return this.failStep(frame, `foreach items ${step.items} is not a list`);
        if (items.length > this.foreachMaxItems)
          return this.failStep(
            frame,
            `foreach items ${step.items} has ${items.length} items; at most ${this.foreachMaxItems}`,
          );
        this.record(this.stepRecord(frame, stepId, step, {}));
        this.event({ type: 'step_started', step_key: stepKey, detail: { items: items.length } });
        if (items.length === 0) return this.completeStep(frame, this.fanIn(step, []));
        frame.children = items.map((item, index) => {
          const id = `${prefix(frame.id)}${stepId}[${index}]`;
          this.frames[id] = newFrame(id, [...frame.graph, stepId], { parent: frame.id, item, index });
          return id;
        });
        // All children exist before any starts, so a child that ends at once cannot fan in early.
        for (const id of frame.children) this.enter(this.frames[id], step.body.start);
        return;
      }
      case 'dag': {
        const nodes = parseDagNodes(resolvePath(this.scope(frame), step.tasks));
        if (typeof nodes === 'string') return this.failStep(frame, `dag ${step.tasks}: ${nodes}`);
        frame.dag = { order: nodes.map((n) => n.id), nodes: Object.fromEntries(nodes.map((n) => [n.id, n])) };
        this.record(this.stepRecord(frame, stepId, step, {}));
        this.event({ type: 'step_started', step_key: stepKey, detail: { nodes: nodes.length } });
        return this.advanceDag(frame, step);
      }
      case 'approval': {
        const decisions = step.decisions ?? DEFAULT_DECISIONS;
        const prompt = render(step.prompt, this.scope(frame));
        this.state.status = 'input_required';
        this.state.approval = { frame: frame.id, step_key: stepKey, prompt, decisions };
        this.record(this.stepRecord(frame, stepId, step, { status: 'waiting_approval' }));
        this.event({ type: 'input_required', step_key: stepKey, detail: { prompt, decisions } });
        return;
      }
      case 'end': {
        const scope = this.scope(frame);
        const status = step.status ?? 'completed';
        const output = step.output === undefined ? undefined : evaluate(step.output, scope);
        const error =
          step.error !== undefined ? render(step.error, scope) : status === 'failed' ? `ended at ${stepId}` : undefined;
        this.record(this.stepRecord(frame, stepId, step, { status: 'completed', output: output ?? null }));
        this.event({ type: 'step_completed', step_key: stepKey });
        return this.finishFrame(frame, status, step.outcome ?? status, output, error);
      }
    }
  }

  private completeStep(frame: FrameState, output: unknown): void {
    const stepId = frame.current!;
    const step = this.graphOf(frame).steps[stepId];
    frame.outputs[stepId] = output;
    this.record(
      this.stepRecord(frame, stepId, step, {
        status: 'completed',
        output: output ?? null,
        task_id: frame.task_id ?? null,
      }),
    );
    this.event({ type: 'step_completed', step_key: frame.step_key });
    if (step.type === 'end') return;
    const next = this.chooseEdge(frame, stepId, step);
    if (next !== undefined) return this.enter(frame, next);
    this.finishFrame(frame, 'completed', 'completed', output);
  }

  private failStep(frame: FrameState, error: string): void {
    const stepId = frame.current!;
    const step = this.graphOf(frame).steps[stepId];
    this.record(this.stepRecord(frame, stepId, step, { status: 'failed', error, task_id: frame.task_id ?? null }));
    this.event({ type: 'step_failed', step_key: frame.step_key, detail: { error } });
    const onFailure = 'on_failure' in step ? step.on_failure : undefined;
    if (onFailure !== undefined) {
      const partial = frame.outputs[stepId];
      frame.outputs[stepId] = { ...(isObject(partial) ? partial : {}), error };
      return this.enter(frame, onFailure);
    }
    this.finishFrame(frame, 'failed', 'failed', undefined, `step ${frame.step_key} failed: ${error}`);
  }

  private chooseEdge(frame: FrameState, stepId: string, step: StepDefinition): string | undefined {
    if (step.type === 'end' || step.next === undefined) return undefined;
    if (typeof step.next === 'string') return step.next;
    const scope = this.scope(frame);
    for (const [i, c] of step.next.cases.entries()) {
      if (!matches(c.when, scope)) continue;
      const key = `${stepId}:${i}`;
      if (c.max_traversals !== undefined) {
        const taken = frame.traversals[key] ?? 0;
        if (taken >= c.max_traversals) continue;
        frame.traversals[key] = taken + 1;
      }
      return c.to;
    }
    return step.next.default;
  }

  private finishFrame(
    frame: FrameState,
    status: 'completed' | 'failed',
    outcome: string,
    output: unknown,
    error?: string,
  ): void {
    frame.status = status;
    frame.outcome = outcome;
    frame.output = output;
    if (error !== undefined) frame.error = error;
    frame.current = undefined;
    frame.step_key = undefined;
    if (frame.id === ROOT) {
      this.state.status = status;
      if (output !== undefined) this.state.output = output;
      if (error !== undefined) this.state.error = error;
      this.cancelOutstanding();
      this.event({
        type: status === 'completed' ? 'run_completed' : 'run_failed',
        detail: error !== undefined ? { error } : {},
      });
      return;
    }
    const parent = this.frames[frame.parent!];
    const children = parent.children ?? [];
    if (children.some((id) => this.frames[id].status === 'running')) return;
    const step = this.graphOf(parent).steps[parent.current!] as ForeachStep;
    const results = children.map((id) => this.frames[id]);
    parent.children = undefined;
    for (const id of children) delete this.frames[id];
    this.completeStep(parent, this.fanIn(step, results));
  }

  /** The foreach output: every item's outcome in order, and outputs grouped by outcome. */
  private fanIn(step: ForeachStep, children: FrameState[]): Record<string, unknown> {
    const outcomes: Record<string, unknown[]> = { failed: [] };
    for (const s of Object.values(step.body.steps))
      if (s.type === 'end') outcomes[s.outcome ?? s.status ?? 'completed'] = [];
    outcomes.completed ??= [];
    const results = children.map((c) => {
      (outcomes[c.outcome ?? 'completed'] ??= []).push(c.output ?? null);
      return {
        index: c.index,
        outcome: c.outcome,
        output: c.output ?? null,
        ...(c.error !== undefined ? { error: c.error } : {}),
      };
    });
    return { results, outcomes };
  }

  private advanceDag(frame: FrameState, step: DagStep): void {
    const dag = frame.dag!;
    const dagKey = frame.step_key!;
    let changed = true;
    while (changed) {
      changed = false;
      for (const id of dag.order) {
        const node = dag.nodes[id];
        if (node.status !== 'waiting') continue;
        const deps = node.depends_on.map((d) => dag.nodes[d]);
        if (deps.some((d) => d.status === 'failed' || d.status === 'skipped' || d.status === 'canceled')) {
          node.status = 'skipped';
          node.error = `dependency ${deps.find((d) => d.status !== 'completed')!.id} did not complete`;
          this.record(this.nodeRecord(frame, node, dagKey));
          changed = true;
          continue;
        }
        if (deps.every((d) => d.status === 'completed')) {
          this.startNode(frame, step, node, dagKey);
          changed = true;
        }
      }
    }
    const nodes = dag.order.map((id) => dag.nodes[id]);
    if (nodes.some((n) => n.status === 'running' || n.status === 'waiting')) return;
    const output = {
      tasks: nodes.map((n) => ({
        id: n.id,
        title: n.title,
        role: n.role ?? null,
        capability: n.capability ?? null,
        agent_id: n.agent_id ?? null,
        depends_on: n.depends_on,
        status: n.status,
        task_id: n.task_id ?? null,
        output: n.output ?? null,
        ...(n.error !== undefined ? { error: n.error } : {}),
      })),
      completed: nodes.filter((n) => n.status === 'completed').length,
      failed: nodes.filter((n) => n.status === 'failed').length,
      skipped: nodes.filter((n) => n.status === 'skipped').length,
    };
    frame.dag = undefined;
    const failed = nodes.find((n) => n.status === 'failed');
    if (failed) {
      frame.outputs[frame.current!] = output;
      return this.failStep(frame, `task ${failed.id} failed: ${failed.error ?? 'unknown error'}`);
    }
    this.completeStep(frame, output);
  }

  private startNode(frame: FrameState, step: DagStep, node: DagNode, dagKey: string): void {
    const dependencies = Object.fromEntries(node.depends_on.map((d) => [d, frame.dag!.nodes[d].output]));
    const scope = this.scope(frame, { node, dependencies });
    const explicit: Assignment = {};
    if (node.agent_id) explicit.agent_id = node.agent_id;
    if (node.capability) explicit.capability = node.capability;
    if (node.role) explicit.role = node.role;
    const assignment =
      Object.keys(explicit).length > 0 ? explicit : resolveAssignment(step.assign_default ?? {}, scope);
    if (typeof assignment === 'string' || Object.keys(assignment).length === 0) {
      node.status = 'failed';
      node.error = 'names no role, capability or agent';
      this.record(this.nodeRecord(frame, node, dagKey));
      return;
    }
    const taskId = this.newId();
    const input = evaluate(step.input ?? { task: '$.node', dependencies: '$.dependencies' }, scope);
    node.status = 'running';
    node.task_id = taskId;
    const stepKey = `${dagKey}/${node.id}`;
    this.state.waiting[taskId] = { frame: frame.id, step_key: stepKey, node: node.id };
    this.actions.push({
      type: 'create_task',
      task: {
        task_id: taskId,
        step_key: stepKey,
        title: node.title.slice(0, 500),
        description: node.description,
        input: isObject(input) ? input : { value: input },
        ...assignment,
        timeout_seconds: step.timeout_seconds,
        max_attempts: step.max_attempts,
      },
    });
    this.record(this.nodeRecord(frame, node, dagKey));
    this.event({ type: 'step_started', step_key: stepKey, detail: { task_id: taskId, ...assignment } });
  }

  private nodeRecord(frame: FrameState, node: DagNode, dagKey: string): StepRecord {
    const status = node.status === 'waiting' ? 'running' : node.status;
    return {
      step_key: `${dagKey}/${node.id}`,
      step_id: `${frame.current!}/${node.id}`,
      frame: frame.id,
      type: 'task',
      visit: 1,
      item_index: frame.index ?? null,
      status,
      task_id: node.task_id ?? null,
      output: node.output ?? null,
      error: node.error ?? null,
    };
  }

  taskFinished(taskId: string, outcome: TaskOutcome): void {
    const wait = this.state.waiting[taskId];
    // A duplicate notification, or a task of a run that already ended: nothing to do.
    if (!wait || this.finished) return;
    delete this.state.waiting[taskId];
    const frame = this.frames[wait.frame];
    if (!frame || frame.status !== 'running') return;
    if (wait.node !== undefined && frame.dag) {
      const node = frame.dag.nodes[wait.node];
      const step = this.graphOf(frame).steps[frame.current!] as DagStep;
      if (outcome.status === 'completed') {
        node.status = 'completed';
        node.output = outcome.output;
      } else {
        node.status = 'failed';
        node.error = outcome.error;
      }
      this.record(this.nodeRecord(frame, node, frame.step_key!));
      this.event({
        type: node.status === 'completed' ? 'step_completed' : 'step_failed',
        step_key: wait.step_key,
        detail: { task_id: taskId },
      });
      return this.advanceDag(frame, step);
    }
    if (frame.step_key !== wait.step_key) return;
    if (outcome.status === 'completed') this.completeStep(frame, outcome.output);
    else this.failStep(frame, outcome.status === 'canceled' ? `task ${taskId} was canceled` : outcome.error);
  }

  resume(decision: string, comment?: string): void {
    const approval = this.state.approval;
    if (this.state.status !== 'input_required' || !approval) {
      throw new EngineError('RUN_NOT_WAITING', `run is ${this.state.status}, not waiting for a decision`);
    }
    if (!approval.decisions.includes(decision)) {
      throw new EngineError('INVALID_DECISION', `decision must be one of ${approval.decisions.join(', ')}`);
    }
    this.state.status = 'running';
    this.state.approval = undefined;
    this.event({
      type: 'resumed',
      step_key: approval.step_key,
      detail: { decision, ...(comment !== undefined ? { comment } : {}) },
    });
    this.completeStep(this.frames[approval.frame], { decision, ...(comment !== undefined ? { comment } : {}) });
  }

  cancel(reason: string, status: 'canceled' | 'failed' = 'canceled'): void {
    if (this.finished) throw new EngineError('RUN_FINISHED', `run already ${this.state.status}`);
    this.state.status = status;
    this.state.error = reason;
    this.state.approval = undefined;
    for (const frame of Object.values(this.frames)) {
      if (frame.status !== 'running') continue;
      frame.status = 'canceled';
      if (frame.current !== undefined) {
        const step = this.graphOf(frame).steps[frame.current];
        this.record(this.stepRecord(frame, frame.current, step, { status: 'canceled', error: reason }));
      }
      for (const node of Object.values(frame.dag?.nodes ?? {})) {
        if (node.status !== 'running' && node.status !== 'waiting') continue;
        node.status = 'canceled';
        this.record(this.nodeRecord(frame, node, frame.step_key!));
      }
    }
    this.cancelOutstanding();
    this.event({ type: status === 'failed' ? 'run_failed' : 'run_canceled', detail: { reason } });
  }

  private cancelOutstanding(): void {
    for (const taskId of Object.keys(this.state.waiting)) this.actions.push({ type: 'cancel_task', task_id: taskId });
    this.state.waiting = {};
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves an assignment's paths; a string is the reason it resolved to nobody. */
function resolveAssignment(assign: Assignment, scope: unknown): Assignment | string {
  const out: Assignment = {};
  for (const key of ['agent_id', 'role', 'capability'] as const) {
    const raw = assign[key];
    if (raw === undefined) continue;
    const value = typeof raw === 'string' && raw.startsWith('$.') ? resolvePath(scope, raw) : raw;
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  if (assign.min_proficiency !== undefined) out.min_proficiency = assign.min_proficiency;
  if (out.agent_id === undefined && out.role === undefined && out.capability === undefined) {
    return `assignment ${JSON.stringify(assign)} resolved to no agent, role or capability`;
  }
  return out;
}

const NODE_ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The nodes of a dag step, checked: unique ids, known dependencies, no cycle. A string is the problem. */
export function parseDagNodes(value: unknown): DagNode[] | string {
  if (!Array.isArray(value)) return 'is not a list';
  if (value.length === 0) return 'has no tasks';
  if (value.length > 200) return 'has more than 200 tasks';
  const nodes: DagNode[] = [];
  const ids = new Set<string>();
  for (const [i, raw] of value.entries()) {
    if (!isObject(raw)) return `task ${i} is not an object`;
    const id = raw.id;
    if (typeof id !== 'string' || !NODE_ID_RE.test(id)) return `task ${i} has no valid id`;
    if (ids.has(id)) return `task id ${id} appears twice`;
    ids.add(id);
    const deps = raw.depends_on ?? [];
    if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string'))
      return `task ${id}: depends_on must be a list of ids`;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    nodes.push({
      id,
      title: str(raw.title) ?? id,
      description: str(raw.description) ?? '',
      role: str(raw.role),
      capability: str(raw.capability),
      agent_id: str(raw.agent_id),
      depends_on: deps as string[],
      status: 'waiting',
    });
  }
  for (const n of nodes) {
    const unknown = n.depends_on.find((d) => !ids.has(d));
    if (unknown !== undefined) return `task ${n.id} depends on unknown task ${unknown}`;
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): boolean => {
    if (state.get(id) === 'done') return true;
    if (state.get(id) === 'visiting') return false;
    state.set(id, 'visiting');
    for (const d of byId.get(id)!.depends_on) if (!visit(d)) return false;
    state.set(id, 'done');
    return true;
  };
  for (const n of nodes) if (!visit(n.id)) return `dependencies form a cycle through ${n.id}`;
  return nodes;
}
