import type { JsonSchema } from '../schema/json-schema';
import type {
  ApprovalStep,
  Assignment,
  Condition,
  ConditionalEdge,
  DagStep,
  EdgeCase,
  EndStep,
  ForeachStep,
  InputField,
  StepType,
  TaskStep,
  WorkflowDefinition,
  WorkflowGraph,
} from './workflow-definition';
import { INPUT_FIELD_TYPES, STEP_TYPES } from './workflow-definition';
import { WORKFLOW_DEFINITION_SCHEMA } from './workflow-definition.schema';

/*
 * The definition types are written by hand (deriving them from a recursive schema would need a type-level JSON
 * Schema library). Each literal below must name every property of its type with whether the type requires it — the
 * compiler checks that — and the test checks the schema says the same, so neither can change without the other.
 */
type Requiredness<T> = { [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? 'optional' : 'required' };

const R = 'required' as const;
const O = 'optional' as const;

const definition: Requiredness<WorkflowDefinition> = {
  name: R,
  description: R,
  input: O,
  start: R,
  steps: R,
  budget: O,
};
const input: Requiredness<NonNullable<WorkflowDefinition['input']>> = { required: O, properties: O };
const inputField: Requiredness<InputField> = { type: R, description: O };
const budget: Requiredness<NonNullable<WorkflowDefinition['budget']>> = { max_tokens: O, max_cost_usd: O };
const graph: Requiredness<WorkflowGraph> = { start: R, steps: R };
const task: Requiredness<TaskStep> = {
  type: R,
  title: R,
  description: O,
  assign: R,
  input: O,
  timeout_seconds: O,
  max_attempts: O,
  priority: O,
  on_failure: O,
  next: O,
};
const foreach: Requiredness<ForeachStep> = { type: R, items: R, body: R, on_failure: O, next: O };
const dag: Requiredness<DagStep> = {
  type: R,
  tasks: R,
  input: O,
  assign_default: O,
  timeout_seconds: O,
  max_attempts: O,
  on_failure: O,
  next: O,
};
const approval: Requiredness<ApprovalStep> = { type: R, prompt: R, decisions: O, next: O };
const end: Requiredness<EndStep> = { type: R, status: O, outcome: O, output: O, error: O };
const assignment: Requiredness<Assignment> = { agent_id: O, role: O, capability: O, min_proficiency: O };
const conditional: Requiredness<ConditionalEdge> = { cases: R, default: O };
const edgeCase: Requiredness<EdgeCase> = { when: R, to: R, max_traversals: O };
const condition: Requiredness<Condition> = { path: R, equals: O, not_equals: O, in: O, exists: O };
/** Every end status the type allows (the compiler checks the keys). */
const endStatuses: Record<NonNullable<EndStep['status']>, true> = { completed: true, failed: true };

const defs = WORKFLOW_DEFINITION_SCHEMA.$defs as Record<string, JsonSchema>;
const props = (schema: JsonSchema): Record<string, JsonSchema> => schema.properties as Record<string, JsonSchema>;
const stepKinds = (defs.step.oneOf as JsonSchema[]).map((kind) => [props(kind).type.const as StepType, kind] as const);
const kind = (type: StepType): JsonSchema => stepKinds.find(([t]) => t === type)![1];
/** The `then` of a `next` edge: the {cases, default} form. */
const conditionalSchema = (props(kind('task')).next.then ?? {}) as JsonSchema;
const caseSchema = props(conditionalSchema).cases.items as JsonSchema;

/** The schema of each `input.properties` value. */
function inputFieldSchema(): JsonSchema {
  return props(props(WORKFLOW_DEFINITION_SCHEMA).input).properties.additionalProperties as JsonSchema;
}

function requirednessOf(schema: JsonSchema): Record<string, 'required' | 'optional'> {
  const required = schema.required as string[];
  return Object.fromEntries(Object.keys(props(schema)).map((k) => [k, required.includes(k) ? R : O]));
}

describe('workflow definition types and schema', () => {
  it('agree on every property and on which are required', () => {
    const pairs: [string, JsonSchema, object][] = [
      ['definition', WORKFLOW_DEFINITION_SCHEMA, definition],
      ['input', props(WORKFLOW_DEFINITION_SCHEMA).input, input],
      ['input field', inputFieldSchema(), inputField],
      ['budget', props(WORKFLOW_DEFINITION_SCHEMA).budget, budget],
      ['graph', defs.graph, graph],
      ['task', kind('task'), task],
      ['foreach', kind('foreach'), foreach],
      ['dag', kind('dag'), dag],
      ['approval', kind('approval'), approval],
      ['end', kind('end'), end],
      ['assignment', props(kind('task')).assign, assignment],
      ['dag assignment', props(kind('dag')).assign_default, assignment],
      ['conditional edge', conditionalSchema, conditional],
      ['edge case', caseSchema, edgeCase],
      ['condition', props(caseSchema).when, condition],
    ];
    for (const [name, schema, expected] of pairs)
      expect({ name, properties: requirednessOf(schema) }).toEqual({ name, properties: expected });
  });

  it('name the same step kinds, input field types and end statuses', () => {
    expect(stepKinds.map(([type]) => type)).toEqual([...STEP_TYPES]);
    expect(props(kind('end')).status.enum).toEqual(Object.keys(endStatuses));
    expect(inputFieldSchema().properties).toMatchObject({ type: { enum: [...INPUT_FIELD_TYPES] } });
  });
});
