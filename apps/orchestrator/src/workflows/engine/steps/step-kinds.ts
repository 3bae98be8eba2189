import { StepDefinition, StepType } from '@app/contracts';
import { approvalStep } from './approval-step';
import { dagStep } from './dag-step';
import { endStep } from './end-step';
import { foreachStep } from './foreach-step';
import { StepKind } from './step-kind';
import { taskStep } from './task-step';

type StepKinds = { [K in StepType]: StepKind<Extract<StepDefinition, { type: K }>> };

/** Every step type's behaviour: a new kind is one module and one line here (and its definition type). */
const STEP_KINDS: StepKinds = {
  task: taskStep,
  foreach: foreachStep,
  dag: dagStep,
  approval: approvalStep,
  end: endStep,
};

/** The kind of a step, typed by its definition. */
export function kindOf<S extends StepDefinition>(step: S): StepKind<S> {
  // The mapped type pairs each `type` with its definition; TypeScript cannot follow that through the union.
  return STEP_KINDS[step.type] as unknown as StepKind<S>;
}
