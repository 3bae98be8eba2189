import { StepDefinition, WorkflowGraph } from '@app/contracts';
import { FrameState, NewWorkflowTask, RunEventRecord, RunState, StepRecord } from './run-state';

/**
 * What a step kind sees of the event being applied: the run's state, the walk through its frames,
 * and the actions it may add. Implemented by RunStep; the step kinds depend on this interface only.
 */
export interface StepContext {
  readonly state: RunState;
  readonly frames: Record<string, FrameState>;
  readonly newId: () => string;
  /** WORKFLOW_FOREACH_MAX_ITEMS. */
  readonly foreachMaxItems: number;

  /** The graph a frame walks (the definition, or a foreach body). */
  graphOf(frame: FrameState): WorkflowGraph;
  /** The values paths and templates read in a frame ({input, steps, item, index, parent, ...extra}). */
  scope(frame: FrameState, extra?: Record<string, unknown>): Record<string, unknown>;
  /** The step row of the frame's current visit of `stepId`, with `patch` applied. */
  stepRecord(frame: FrameState, stepId: string, step: StepDefinition, patch: Partial<StepRecord>): StepRecord;

  event(event: RunEventRecord): void;
  record(record: StepRecord): void;
  createTask(task: NewWorkflowTask): void;

  /** Starts a visit of `stepId` in the frame. */
  enter(frame: FrameState, stepId: string): void;
  /** Ends the frame's current step with `output` and follows its edge. */
  completeStep(frame: FrameState, output: unknown): void;
  /** Ends the frame's current step failed: on to its on_failure step, or the frame fails. */
  failStep(frame: FrameState, error: string): void;
  finishFrame(
    frame: FrameState,
    status: 'completed' | 'failed',
    outcome: string,
    output: unknown,
    error?: string,
  ): void;
}
