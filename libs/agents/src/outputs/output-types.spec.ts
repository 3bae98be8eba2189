import type {
  CodeChangeOutput,
  ConsultationAnswer,
  DeploymentPlanOutput,
  DesignDocOutput,
  McqItemOutput,
  OutputByKind,
  PlanTask,
  ReviewOutput,
  TestPlanOutput,
} from './output-kinds';
import { CONSULTATION_SCHEMA, JsonSchema, OUTPUT_SCHEMAS } from './output-schemas';

/*
 * The output types are written by hand (deriving them from the schemas would need a type-level JSON Schema
 * library). Each literal below must name every property of its type with whether the type requires it — the
 * compiler checks that — and the test checks the schema sent to providers says the same.
 */
type Requiredness<T> = { [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? 'optional' : 'required' };
type Item<A> = A extends readonly (infer I)[] ? I : never;

const R = 'required' as const;
const O = 'optional' as const;

const root: { [K in keyof OutputByKind]: Requiredness<OutputByKind[K]> } = {
  plan: { summary: R, tasks: R },
  design_doc: {
    title: R,
    summary: R,
    components: R,
    interfaces: R,
    decisions: R,
    risks: R,
    open_questions: O,
  },
  code_change: { summary: R, files: R, tests: O },
  review: { verdict: R, summary: R, issues: R },
  test_plan: { summary: R, scope: R, test_cases: R, risks: O },
  deployment_plan: { summary: R, environment: R, steps: R, rollback: R, health_checks: R },
  mcq_item: { topic: R, stem: R, options: R, correct_key: R, explanation: R, references: R, difficulty: R },
};

const task: Requiredness<PlanTask> = {
  id: R,
  title: R,
  description: R,
  role: O,
  capability: O,
  topic: O,
  depends_on: R,
};
const component: Requiredness<Item<DesignDocOutput['components']>> = { name: R, responsibility: R };
const designInterface: Requiredness<Item<DesignDocOutput['interfaces']>> = { name: R, description: R };
const decision: Requiredness<Item<DesignDocOutput['decisions']>> = { decision: R, rationale: R };
const risk: Requiredness<Item<DesignDocOutput['risks']>> = { risk: R, mitigation: R };
const file: Requiredness<Item<CodeChangeOutput['files']>> = { path: R, language: R, action: O, content: R };
const finding: Requiredness<Item<ReviewOutput['issues']>> = {
  severity: R,
  description: R,
  location: O,
  suggestion: O,
};
const testCase: Requiredness<Item<TestPlanOutput['test_cases']>> = {
  id: R,
  title: R,
  type: R,
  steps: R,
  expected_result: R,
};
const step: Requiredness<Item<DeploymentPlanOutput['steps']>> = { order: R, action: R, command: O, verification: R };
const rollback: Requiredness<Item<DeploymentPlanOutput['rollback']>> = { order: R, action: R };
const option: Requiredness<Item<McqItemOutput['options']>> = { key: R, text: R };
const consultation: Requiredness<ConsultationAnswer> = { answer: R, confidence: R, rationale: R };

/** The object schema at `path` (array items are stepped into). */
function objectAt(schema: JsonSchema, ...path: string[]): JsonSchema {
  let node = schema;
  for (const name of path) {
    node = (node.properties as Record<string, JsonSchema>)[name];
    if (node.type === 'array') node = node.items as JsonSchema;
  }
  return node;
}

function requirednessOf(schema: JsonSchema): Record<string, 'required' | 'optional'> {
  const required = schema.required as string[];
  return Object.fromEntries(Object.keys(schema.properties as object).map((k) => [k, required.includes(k) ? R : O]));
}

describe('output types and schemas', () => {
  it('agree on every property and on which are required', () => {
    for (const [kind, expected] of Object.entries(root))
      expect({ kind, properties: requirednessOf(OUTPUT_SCHEMAS[kind as keyof OutputByKind]) }).toEqual({
        kind,
        properties: expected,
      });
    const nested: [JsonSchema, string[], object][] = [
      [OUTPUT_SCHEMAS.plan, ['tasks'], task],
      [OUTPUT_SCHEMAS.design_doc, ['components'], component],
      [OUTPUT_SCHEMAS.design_doc, ['interfaces'], designInterface],
      [OUTPUT_SCHEMAS.design_doc, ['decisions'], decision],
      [OUTPUT_SCHEMAS.design_doc, ['risks'], risk],
      [OUTPUT_SCHEMAS.code_change, ['files'], file],
      [OUTPUT_SCHEMAS.review, ['issues'], finding],
      [OUTPUT_SCHEMAS.test_plan, ['test_cases'], testCase],
      [OUTPUT_SCHEMAS.deployment_plan, ['steps'], step],
      [OUTPUT_SCHEMAS.deployment_plan, ['rollback'], rollback],
      [OUTPUT_SCHEMAS.mcq_item, ['options'], option],
      [CONSULTATION_SCHEMA, [], consultation],
    ];
    for (const [schema, path, expected] of nested)
      expect({ path, properties: requirednessOf(objectAt(schema, ...path)) }).toEqual({ path, properties: expected });
  });
});
