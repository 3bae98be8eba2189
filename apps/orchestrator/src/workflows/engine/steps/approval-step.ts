import { ApprovalStep } from '@app/contracts';
import { EngineError } from '../engine-error';
import { render } from '../expressions';
import { StepContext } from '../step-context';
import { StepKind } from './step-kind';

const DEFAULT_DECISIONS = ['approve', 'reject'];

/** An approval step: the whole run waits (`input_required`) for a person's decision; the decision is its output. */
export const approvalStep: StepKind<ApprovalStep> = {
  enter(run, frame, stepId, step, stepKey) {
    const decisions = step.decisions ?? DEFAULT_DECISIONS;
    const prompt = render(step.prompt, run.scope(frame));
    run.state.status = 'input_required';
    run.state.approval = { frame: frame.id, step_key: stepKey, prompt, decisions };
    run.record(run.stepRecord(frame, stepId, step, { status: 'waiting_approval' }));
    run.event({ type: 'input_required', step_key: stepKey, detail: { prompt, decisions } });
  },
};

/** The decision on the pending approval: the run runs again and the approval step completes with it. */
export function resumeApproval(run: StepContext, decision: string, comment?: string): void {
  const approval = run.state.approval;
  if (run.state.status !== 'input_required' || !approval) {
    throw new EngineError('RUN_NOT_WAITING', `run is ${run.state.status}, not waiting for a decision`);
  }
  if (!approval.decisions.includes(decision)) {
    throw new EngineError('INVALID_DECISION', `decision must be one of ${approval.decisions.join(', ')}`);
  }
  run.state.status = 'running';
  run.state.approval = undefined;
  run.event({
    type: 'resumed',
    step_key: approval.step_key,
    detail: { decision, ...(comment !== undefined ? { comment } : {}) },
  });
  run.completeStep(run.frames[approval.frame], { decision, ...(comment !== undefined ? { comment } : {}) });
}
