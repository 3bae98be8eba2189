import { WorkflowRunStatus, WorkflowStepStatus } from '@app/contracts';

/** The engine's whole cursor of one run, stored as workflow_runs.state and reloaded after a restart. */
export interface RunState {
  version: 1;
  workflow: string;
  status: WorkflowRunStatus;
  input: Record<string, unknown>;
  frames: Record<string, FrameState>;
  /** Tasks the run waits for, by task id. */
  waiting: Record<string, TaskWait>;
  approval?: PendingApproval;
  output?: unknown;
  error?: string;
}

export interface TaskWait {
  frame: string;
  step_key: string;
  /** Set when the task is a node of a dag step. */
  node?: string;
}

export interface PendingApproval {
  frame: string;
  step_key: string;
  prompt: string;
  decisions: string[];
}

export type FrameStatus = 'running' | 'completed' | 'failed' | 'canceled';

/** One walk through one graph: the root, or one item of a foreach. */
export interface FrameState {
  id: string;
  /** Foreach step ids from the root graph down to this frame's graph ([] for the root). */
  graph: string[];
  parent?: string;
  item?: unknown;
  index?: number;
  current?: string;
  step_key?: string;
  /** The task of the current step, when it is a task step. */
  task_id?: string;
  visits: Record<string, number>;
  /** Times each bounded edge case was taken, by "<step>:<case index>". */
  traversals: Record<string, number>;
  outputs: Record<string, unknown>;
  status: FrameStatus;
  outcome?: string;
  output?: unknown;
  error?: string;
  children?: string[];
  dag?: DagState;
}

export interface DagState {
  order: string[];
  nodes: Record<string, DagNode>;
}

export type DagNodeStatus = 'waiting' | 'running' | 'completed' | 'failed' | 'skipped' | 'canceled';

export interface DagNode {
  id: string;
  title: string;
  description: string;
  role?: string;
  capability?: string;
  agent_id?: string;
  depends_on: string[];
  status: DagNodeStatus;
  task_id?: string;
  output?: unknown;
  error?: string;
}

/** A workflow_steps row as the engine wants it written (upserted by step_key). */
export interface StepRecord {
  step_key: string;
  step_id: string;
  frame: string;
  type: string;
  visit: number;
  item_index: number | null;
  status: WorkflowStepStatus;
  task_id: string | null;
  output?: unknown;
  error?: string | null;
}

export interface NewWorkflowTask {
  task_id: string;
  step_key: string;
  title: string;
  description: string;
  input: Record<string, unknown>;
  agent_id?: string;
  role?: string;
  capability?: string;
  min_proficiency?: number;
  timeout_seconds?: number;
  max_attempts?: number;
  priority?: number;
}

export interface RunEventRecord {
  type: string;
  step_key?: string;
  detail?: Record<string, unknown>;
}

export type EngineAction =
  | { type: 'create_task'; task: NewWorkflowTask }
  | { type: 'cancel_task'; task_id: string }
  | { type: 'step'; record: StepRecord }
  | { type: 'event'; event: RunEventRecord };

/** How a task the run waited for ended, as the engine is told. */
export type TaskOutcome = { status: 'completed'; output: unknown } | { status: 'failed' | 'canceled'; error: string };

export interface EngineResult {
  state: RunState;
  actions: EngineAction[];
}

export const TERMINAL_RUN_STATUSES: readonly WorkflowRunStatus[] = ['completed', 'failed', 'canceled'];
