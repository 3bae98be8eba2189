import {
  FILE_ACTIONS,
  ISSUE_SEVERITIES,
  MCQ_DIFFICULTIES,
  MCQ_OPTION_KEYS,
  OutputKind,
  REVIEW_VERDICTS,
  TEST_TYPES,
} from './output-kinds';

export type JsonSchema = Record<string, unknown>;

/*
 * Hand-written JSON schemas passed to providers as the response format. They stay inside the
 * subset both OpenAI and Anthropic structured outputs accept (no string lengths, numeric bounds,
 * or minItems above 1): the finer rules (4–5 options, no cycles, safe paths) are the validators' job.
 */
const str = (description?: string): JsonSchema => (description ? { type: 'string', description } : { type: 'string' });
const strings = (description?: string): JsonSchema => ({
  type: 'array',
  items: { type: 'string' },
  ...(description ? { description } : {}),
});
const oneOf = (values: readonly string[], description?: string): JsonSchema => ({
  type: 'string',
  enum: [...values],
  ...(description ? { description } : {}),
});

function object(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}
const list = (items: JsonSchema, description?: string, minItems = 1): JsonSchema => ({
  type: 'array',
  items,
  minItems,
  ...(description ? { description } : {}),
});

export const OUTPUT_SCHEMAS: Readonly<Record<OutputKind, JsonSchema>> = {
  plan: object({
    summary: str('What the plan achieves'),
    tasks: list(
      object(
        {
          id: str('Unique id within the plan, e.g. "t1"'),
          title: str(),
          description: str(),
          role: str('Catalog role that should do it, e.g. backend_dev'),
          capability: str('Catalog capability that should do it, e.g. cardiology'),
          topic: str('The subject this task covers when the plan assigns one (e.g. the MCQ topic), without prefixes'),
          depends_on: strings('Ids of tasks that must finish first; no cycles'),
        },
        ['role', 'capability', 'topic'],
      ),
      'Tasks; each names a role or a capability',
    ),
  }),
  design_doc: object(
    {
      title: str(),
      summary: str(),
      components: list(object({ name: str(), responsibility: str() })),
      interfaces: list(object({ name: str(), description: str() }), undefined, 0),
      decisions: list(object({ decision: str(), rationale: str() })),
      risks: list(object({ risk: str(), mitigation: str() }), undefined, 0),
      open_questions: strings(),
    },
    ['open_questions'],
  ),
  code_change: object(
    {
      summary: str(),
      files: list(
        object(
          {
            path: str('Relative path inside the repository; no "..", not absolute'),
            language: str(),
            action: oneOf(FILE_ACTIONS),
            content: str('Full file content'),
          },
          ['action'],
        ),
      ),
      tests: strings('Tests that cover the change'),
    },
    ['tests'],
  ),
  review: object({
    verdict: oneOf(REVIEW_VERDICTS),
    summary: str(),
    issues: list(
      object({ severity: oneOf(ISSUE_SEVERITIES), description: str(), location: str(), suggestion: str() }, [
        'location',
        'suggestion',
      ]),
      'Findings; required for revise and reject',
      0,
    ),
  }),
  test_plan: object(
    {
      summary: str(),
      scope: str(),
      test_cases: list(
        object({
          id: str(),
          title: str(),
          type: oneOf(TEST_TYPES),
          steps: list({ type: 'string' }),
          expected_result: str(),
        }),
      ),
      risks: strings(),
    },
    ['risks'],
  ),
  deployment_plan: object({
    summary: str(),
    environment: str(),
    steps: list(
      object(
        {
          order: { type: 'integer', description: '1..n in order' },
          action: str(),
          command: str(),
          verification: str(),
        },
        ['command'],
      ),
    ),
    rollback: list(object({ order: { type: 'integer' }, action: str() })),
    health_checks: list({ type: 'string' }),
  }),
  mcq_item: object({
    topic: str(),
    stem: str('Clinical vignette ending in a question'),
    options: list(object({ key: oneOf(MCQ_OPTION_KEYS), text: str() }), '4 or 5 options with distinct keys and texts'),
    correct_key: oneOf(MCQ_OPTION_KEYS, 'Exactly one key, present among the options'),
    explanation: str('Why the key is right and each distractor wrong'),
    references: list({ type: 'string' }, 'Guidelines or textbooks'),
    difficulty: oneOf(MCQ_DIFFICULTIES),
  }),
};

export const CONSULTATION_SCHEMA: JsonSchema = object({
  answer: str(),
  confidence: { type: 'number', description: '0 to 1' },
  rationale: str(),
});
