import { StepDefinition } from '@app/contracts';
import { FrameState, TaskOutcome, TaskWait } from '../run-state';
import { StepContext } from '../step-context';

/** How one kind of step behaves; the dispatcher (step-kinds.ts) picks the kind by the step's `type`. */
export interface StepKind<S extends StepDefinition> {
  /**
   * Starts a visit of the step. The frame's visit count, `current` and `step_key` (= `stepKey`)
   * are already set; the kind records the step, creates its tasks or waits, or ends it at once.
   */
  enter(run: StepContext, frame: FrameState, stepId: string, step: S, stepKey: string): void;
  /** A task this kind created ended (kinds that create tasks only). */
  onTaskFinished?(run: StepContext, frame: FrameState, wait: TaskWait, taskId: string, outcome: TaskOutcome): void;
}
