import { TaskStep } from '@app/contracts';
import { evaluate, isObject, render } from '../expressions';
import { resolveAssignment } from './assignment';
import { StepKind } from './step-kind';

/** A task step: one task for one agent; the step ends with the task (its output, or on_failure). */
export const taskStep: Required<StepKind<TaskStep>> = {
  enter(run, frame, stepId, step, stepKey) {
    const scope = run.scope(frame);
    const assignment = resolveAssignment(step.assign, scope);
    if (typeof assignment === 'string') return run.failStep(frame, assignment);
    const taskId = run.newId();
    const input = evaluate(step.input ?? {}, scope);
    run.state.waiting[taskId] = { frame: frame.id, step_key: stepKey };
    frame.task_id = taskId;
    run.createTask({
      task_id: taskId,
      step_key: stepKey,
      title: render(step.title, scope).slice(0, 500),
      description: render(step.description ?? '', scope),
      input: isObject(input) ? input : { value: input },
      ...assignment,
      timeout_seconds: step.timeout_seconds,
      max_attempts: step.max_attempts,
      priority: step.priority,
    });
    run.record(run.stepRecord(frame, stepId, step, { task_id: taskId }));
    run.event({ type: 'step_started', step_key: stepKey, detail: { task_id: taskId, ...assignment } });
  },

  onTaskFinished(run, frame, wait, taskId, outcome) {
    // A task of an earlier visit (the frame moved on since): nothing to do.
    if (frame.step_key !== wait.step_key) return;
    if (outcome.status === 'completed') run.completeStep(frame, outcome.output);
    else run.failStep(frame, outcome.status === 'canceled' ? `task ${taskId} was canceled` : outcome.error);
  },
};
