import { ForeachStep } from '@app/contracts';
import { resolvePath } from '../expressions';
import { newFrame, prefix } from '../frames';
import { FrameState } from '../run-state';
import { StepContext } from '../step-context';
import { StepKind } from './step-kind';

/** A foreach step: one child frame per item walks the body; the step ends when every child ended (fan-in). */
export const foreachStep: StepKind<ForeachStep> = {
  enter(run, frame, stepId, step, stepKey) {
    const items = resolvePath(run.scope(frame), step.items);
    if (!Array.isArray(items)) return run.failStep(frame, `foreach items ${step.items} is not a list`);
    if (items.length > run.foreachMaxItems)
      return run.failStep(
        frame,
        `foreach items ${step.items} has ${items.length} items; at most ${run.foreachMaxItems}`,
      );
    run.record(run.stepRecord(frame, stepId, step, {}));
    run.event({ type: 'step_started', step_key: stepKey, detail: { items: items.length } });
    if (items.length === 0) return run.completeStep(frame, fanIn(step, []));
    frame.children = items.map((item, index) => {
      const id = `${prefix(frame.id)}${stepId}[${index}]`;
      run.frames[id] = newFrame(id, [...frame.graph, stepId], { parent: frame.id, item, index });
      return id;
    });
    // All children exist before any starts, so a child that ends at once cannot fan in early.
    for (const id of frame.children) run.enter(run.frames[id], step.body.start);
  },
};

/** A child frame (one item) ended: once the last one did, the foreach step completes with the fan-in. */
export function foreachChildFinished(run: StepContext, child: FrameState): void {
  const parent = run.frames[child.parent!];
  const children = parent.children ?? [];
  if (children.some((id) => run.frames[id].status === 'running')) return;
  const step = run.graphOf(parent).steps[parent.current!] as ForeachStep;
  const results = children.map((id) => run.frames[id]);
  parent.children = undefined;
  for (const id of children) delete run.frames[id];
  run.completeStep(parent, fanIn(step, results));
}

/** The foreach output: every item's outcome in order, and outputs grouped by outcome. */
function fanIn(step: ForeachStep, children: FrameState[]): Record<string, unknown> {
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
