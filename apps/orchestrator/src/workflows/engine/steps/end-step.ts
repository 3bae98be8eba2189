import { EndStep } from '@app/contracts';
import { evaluate, render } from '../expressions';
import { StepKind } from './step-kind';

/** An end step: finishes its frame (the run, or one foreach item) with a status, an outcome and an output. */
export const endStep: StepKind<EndStep> = {
  enter(run, frame, stepId, step, stepKey) {
    const scope = run.scope(frame);
    const status = step.status ?? 'completed';
    const output = step.output === undefined ? undefined : evaluate(step.output, scope);
    const error =
      step.error !== undefined ? render(step.error, scope) : status === 'failed' ? `ended at ${stepId}` : undefined;
    run.record(run.stepRecord(frame, stepId, step, { status: 'completed', output: output ?? null }));
    run.event({ type: 'step_completed', step_key: stepKey });
    run.finishFrame(frame, status, step.outcome ?? status, output, error);
  },
};
