/**
 * The declarative workflow language. A graph is a set of named steps and a start step; each frame
 * of a run walks one graph one step at a time. Parallelism comes from `foreach` (one child frame
 * per item, fan-in when all end) and `dag` (a task graph from an earlier output, run in
 * dependency order). Values are JSON; a string starting with "$." is a path into the scope
 * ({input, steps.<id>.output|visits|iteration, item, index, parent, node, dependencies}).
 *
 * The structure is declared once, as a JSON Schema (`WORKFLOW_DEFINITION_SCHEMA`); these types are written by hand
 * and a spec with compiler-checked literals keeps them and the schema in agreement (workflow-definition.types.spec.ts).
 */
export interface WorkflowDefinition extends WorkflowGraph {
  name: string;
  description: string;
  /** Fields the run's input must carry, and optionally each field's type and meaning (forms, input schema). */
  input?: { required?: string[]; properties?: Record<string, InputField> };
  /** Default budget of a run (a run's own `budget` replaces it). */
  budget?: { max_tokens?: number; max_cost_usd?: number };
}

export const INPUT_FIELD_TYPES = ['string', 'string_list', 'integer', 'number', 'boolean', 'object'] as const;
export type InputFieldType = (typeof INPUT_FIELD_TYPES)[number];

/** A field of a run's input as a definition declares it (`input.properties`). */
export interface InputField {
  type: InputFieldType;
  description?: string;
}

export interface WorkflowGraph {
  start: string;
  steps: Record<string, StepDefinition>;
}

export type StepDefinition = TaskStep | ForeachStep | DagStep | ApprovalStep | EndStep;
export const STEP_TYPES = ['task', 'foreach', 'dag', 'approval', 'end'] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** Who runs a task: exactly one of agent_id / role / capability (capability may be narrowed by role). */
export interface Assignment {
  agent_id?: string;
  role?: string;
  capability?: string;
  min_proficiency?: number;
}

export interface TaskStep {
  type: 'task';
  title: string;
  description?: string;
  assign: Assignment;
  input?: unknown;
  timeout_seconds?: number;
  max_attempts?: number;
  priority?: number;
  /** Where to go when the task fails; without it the frame fails. */
  on_failure?: string;
  next?: Edge;
}

export interface ForeachStep {
  type: 'foreach';
  /** Path to an array in the scope. */
  items: string;
  body: WorkflowGraph;
  on_failure?: string;
  next?: Edge;
}

export interface DagStep {
  type: 'dag';
  /** Path to an array of {id, title, description, role?, capability?, agent_id?, depends_on[]}. */
  tasks: string;
  /** Input of each node's task, evaluated with `node` and `dependencies` (outputs by node id) in scope. */
  input?: unknown;
  /** Used for nodes that name no role, capability or agent. */
  assign_default?: Assignment;
  timeout_seconds?: number;
  max_attempts?: number;
  on_failure?: string;
  next?: Edge;
}

export interface ApprovalStep {
  type: 'approval';
  prompt: string;
  /** Allowed decisions; default approve, reject. */
  decisions?: string[];
  next?: Edge;
}

export interface EndStep {
  type: 'end';
  /** A root end with `failed` fails the run; in a foreach body it sets the item's outcome. */
  status?: 'completed' | 'failed';
  /** The item's outcome bucket in the foreach output (default: the status). */
  outcome?: string;
  output?: unknown;
  error?: string;
}

export type Edge = string | ConditionalEdge;

export interface ConditionalEdge {
  cases: EdgeCase[];
  default?: string;
}

export interface EdgeCase {
  when: Condition;
  to: string;
  /** Bounded loop: the case is taken at most this many times per frame, then skipped. */
  max_traversals?: number;
}

export interface Condition {
  path: string;
  equals?: unknown;
  not_equals?: unknown;
  in?: unknown[];
  exists?: boolean;
}
