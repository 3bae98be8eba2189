import { randomUUID } from 'node:crypto';
import { WorkflowDefinition } from '@app/contracts';
import { newFrame, ROOT } from './frames';
import { EngineResult, RunState, TaskOutcome } from './run-state';
import { RunStep } from './run-step';

// The engine's API in one place for its callers (the service, the catalog, the specs).
export { EngineError, type EngineErrorCode } from './engine-error';
export type { TaskOutcome } from './run-state';
export { parseDagNodes } from './steps/dag-nodes';

/**
 * The workflow engine: a pure function of (definition, state, event) to (new state, actions). It
 * never touches I/O, so the caller persists the state and carries out the actions in one
 * transaction, and a restarted orchestrator continues from the stored state.
 *
 * Each command applies one event through a RunStep (run-step.ts), which walks the run's frames and
 * hands each step to the module of its kind (steps/: task, foreach, dag, approval, end).
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
    const run = this.step(state);
    run.event({ type: 'run_started', detail: { workflow: this.definition.name } });
    run.frames[ROOT] = newFrame(ROOT, []);
    run.enter(run.frames[ROOT], this.definition.start);
    return run.result();
  }

  onTaskFinished(current: RunState, taskId: string, outcome: TaskOutcome): EngineResult {
    const run = this.step(structuredClone(current));
    run.taskFinished(taskId, outcome);
    return run.result();
  }

  resume(current: RunState, decision: string, comment?: string): EngineResult {
    const run = this.step(structuredClone(current));
    run.resume(decision, comment);
    return run.result();
  }

  cancel(current: RunState, reason: string): EngineResult {
    const run = this.step(structuredClone(current));
    run.cancel(reason);
    return run.result();
  }

  /** Ends the run `failed` (its budget is spent): outstanding tasks are canceled as by cancel. */
  fail(current: RunState, reason: string): EngineResult {
    const run = this.step(structuredClone(current));
    run.cancel(reason, 'failed');
    return run.result();
  }

  private step(state: RunState): RunStep {
    return new RunStep(this.definition, state, this.newId, this.foreachMaxItems);
  }
}
