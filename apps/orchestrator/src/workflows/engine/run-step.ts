import { ForeachStep, StepDefinition, WorkflowDefinition, WorkflowGraph } from '@app/contracts';
import { EngineError } from './engine-error';
import { isObject, matches } from './expressions';
import { prefix, ROOT } from './frames';
import {
  EngineAction,
  EngineResult,
  FrameState,
  NewWorkflowTask,
  RunEventRecord,
  RunState,
  StepRecord,
  TaskOutcome,
  TERMINAL_RUN_STATUSES,
} from './run-state';
import { StepContext } from './step-context';
import { resumeApproval } from './steps/approval-step';
import { cancelDagNodes, dagStep } from './steps/dag-step';
import { foreachChildFinished } from './steps/foreach-step';
import { kindOf } from './steps/step-kinds';
import { taskStep } from './steps/task-step';

/**
 * One event applied to one state; collects the actions it causes. It walks the frames (enter a step,
 * complete or fail it, follow its edge, finish the frame) and hands each step to its kind (steps/).
 */
export class RunStep implements StepContext {
  private readonly actions: EngineAction[] = [];
  readonly frames: Record<string, FrameState>;

  constructor(
    private readonly definition: WorkflowDefinition,
    readonly state: RunState,
    readonly newId: () => string,
    readonly foreachMaxItems: number,
  ) {
    this.frames = state.frames;
  }

  result(): EngineResult {
    return { state: this.state, actions: this.actions };
  }

  event(event: RunEventRecord): void {
    this.actions.push({ type: 'event', event });
  }

  record(record: StepRecord): void {
    this.actions.push({ type: 'step', record });
  }

  createTask(task: NewWorkflowTask): void {
    this.actions.push({ type: 'create_task', task });
  }

  private get finished(): boolean {
    return TERMINAL_RUN_STATUSES.includes(this.state.status);
  }

  graphOf(frame: FrameState): WorkflowGraph {
    let graph: WorkflowGraph = this.definition;
    for (const stepId of frame.graph) graph = (graph.steps[stepId] as ForeachStep).body;
    return graph;
  }

  scope(frame: FrameState, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const steps: Record<string, unknown> = {};
    for (const [id, visits] of Object.entries(frame.visits)) {
      steps[id] = { output: frame.outputs[id], visits, iteration: visits - 1 };
    }
    const parent = frame.parent !== undefined ? this.scope(this.frames[frame.parent]) : undefined;
    return { input: this.state.input, steps, item: frame.item, index: frame.index, parent, ...extra };
  }

  stepRecord(frame: FrameState, stepId: string, step: StepDefinition, patch: Partial<StepRecord>): StepRecord {
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
    kindOf(step).enter(this, frame, stepId, step, frame.step_key);
  }

  completeStep(frame: FrameState, output: unknown): void {
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

  failStep(frame: FrameState, error: string): void {
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

  finishFrame(
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
    if (frame.id !== ROOT) return foreachChildFinished(this, frame);
    this.state.status = status;
    if (output !== undefined) this.state.output = output;
    if (error !== undefined) this.state.error = error;
    this.cancelOutstanding();
    this.event({
      type: status === 'completed' ? 'run_completed' : 'run_failed',
      detail: error !== undefined ? { error } : {},
    });
  }

  taskFinished(taskId: string, outcome: TaskOutcome): void {
    const wait = this.state.waiting[taskId];
    // A duplicate notification, or a task of a run that already ended: nothing to do.
    if (!wait || this.finished) return;
    delete this.state.waiting[taskId];
    const frame = this.frames[wait.frame];
    if (!frame || frame.status !== 'running') return;
    // Only task and dag steps create tasks; a dag's tasks are its nodes.
    const kind = wait.node !== undefined && frame.dag ? dagStep : taskStep;
    kind.onTaskFinished(this, frame, wait, taskId, outcome);
  }

  resume(decision: string, comment?: string): void {
    resumeApproval(this, decision, comment);
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
      cancelDagNodes(this, frame);
    }
    this.cancelOutstanding();
    this.event({ type: status === 'failed' ? 'run_failed' : 'run_canceled', detail: { reason } });
  }

  private cancelOutstanding(): void {
    for (const taskId of Object.keys(this.state.waiting)) this.actions.push({ type: 'cancel_task', task_id: taskId });
    this.state.waiting = {};
  }
}
