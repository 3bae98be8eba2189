import { Assignment, DagStep } from '@app/contracts';
import { evaluate, isObject, resolvePath } from '../expressions';
import { DagNode, FrameState, StepRecord } from '../run-state';
import { StepContext } from '../step-context';
import { resolveAssignment } from './assignment';
import { parseDagNodes } from './dag-nodes';
import { StepKind } from './step-kind';

/**
 * A dag step: a task graph read from the scope (an earlier step's plan), one task per node, each
 * started once its dependencies completed. A failed node skips its dependents; the step ends when
 * no node runs or waits, failed if any node failed. Node task keys are "<dag step key>/<node id>".
 */
export const dagStep: Required<StepKind<DagStep>> = {
  enter(run, frame, stepId, step, stepKey) {
    const nodes = parseDagNodes(resolvePath(run.scope(frame), step.tasks));
    if (typeof nodes === 'string') return run.failStep(frame, `dag ${step.tasks}: ${nodes}`);
    frame.dag = { order: nodes.map((n) => n.id), nodes: Object.fromEntries(nodes.map((n) => [n.id, n])) };
    run.record(run.stepRecord(frame, stepId, step, {}));
    run.event({ type: 'step_started', step_key: stepKey, detail: { nodes: nodes.length } });
    advance(run, frame, step);
  },

  onTaskFinished(run, frame, wait, taskId, outcome) {
    const node = frame.dag!.nodes[wait.node!];
    const step = run.graphOf(frame).steps[frame.current!] as DagStep;
    if (outcome.status === 'completed') {
      node.status = 'completed';
      node.output = outcome.output;
    } else {
      node.status = 'failed';
      node.error = outcome.error;
    }
    run.record(nodeRecord(frame, node, frame.step_key!));
    run.event({
      type: node.status === 'completed' ? 'step_completed' : 'step_failed',
      step_key: wait.step_key,
      detail: { task_id: taskId },
    });
    advance(run, frame, step);
  },
};

/** The run is canceled: the frame's dag nodes that run or wait are recorded canceled (their tasks are canceled by the run). */
export function cancelDagNodes(run: StepContext, frame: FrameState): void {
  for (const node of Object.values(frame.dag?.nodes ?? {})) {
    if (node.status !== 'running' && node.status !== 'waiting') continue;
    node.status = 'canceled';
    run.record(nodeRecord(frame, node, frame.step_key!));
  }
}

/** Starts every node whose dependencies completed, skips those with one that did not; ends the step when all ended. */
function advance(run: StepContext, frame: FrameState, step: DagStep): void {
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
        run.record(nodeRecord(frame, node, dagKey));
        changed = true;
        continue;
      }
      if (deps.every((d) => d.status === 'completed')) {
        startNode(run, frame, step, node, dagKey);
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
    return run.failStep(frame, `task ${failed.id} failed: ${failed.error ?? 'unknown error'}`);
  }
  run.completeStep(frame, output);
}

function startNode(run: StepContext, frame: FrameState, step: DagStep, node: DagNode, dagKey: string): void {
  const dependencies = Object.fromEntries(node.depends_on.map((d) => [d, frame.dag!.nodes[d].output]));
  const scope = run.scope(frame, { node, dependencies });
  const explicit: Assignment = {};
  if (node.agent_id) explicit.agent_id = node.agent_id;
  if (node.capability) explicit.capability = node.capability;
  if (node.role) explicit.role = node.role;
  const assignment = Object.keys(explicit).length > 0 ? explicit : resolveAssignment(step.assign_default ?? {}, scope);
  if (typeof assignment === 'string' || Object.keys(assignment).length === 0) {
    node.status = 'failed';
    node.error = 'names no role, capability or agent';
    run.record(nodeRecord(frame, node, dagKey));
    return;
  }
  const taskId = run.newId();
  const input = evaluate(step.input ?? { task: '$.node', dependencies: '$.dependencies' }, scope);
  node.status = 'running';
  node.task_id = taskId;
  const stepKey = `${dagKey}/${node.id}`;
  run.state.waiting[taskId] = { frame: frame.id, step_key: stepKey, node: node.id };
  run.createTask({
    task_id: taskId,
    step_key: stepKey,
    title: node.title.slice(0, 500),
    description: node.description,
    input: isObject(input) ? input : { value: input },
    ...assignment,
    timeout_seconds: step.timeout_seconds,
    max_attempts: step.max_attempts,
  });
  run.record(nodeRecord(frame, node, dagKey));
  run.event({ type: 'step_started', step_key: stepKey, detail: { task_id: taskId, ...assignment } });
}

/** A node's step row: a task row keyed under the dag step. */
function nodeRecord(frame: FrameState, node: DagNode, dagKey: string): StepRecord {
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
