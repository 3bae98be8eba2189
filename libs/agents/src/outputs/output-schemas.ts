import {
  FILE_ACTIONS,
  ISSUE_SEVERITIES,
  MCQ_DIFFICULTIES,
  MCQ_OPTION_KEYS,
  OutputKind,
  REVIEW_VERDICTS,
  TEST_TYPES,
} from './output-kinds';
import { toProviderSchema } from './provider-schema';
import { hostOnly, integer, JsonSchema, list, maybe, object, oneOf, text, texts } from './schema-builders';

export type { JsonSchema } from './schema-builders';

/** The greatest step number a deployment plan may use. */
const MAX_ORDER = 10_000;

const codeFile: JsonSchema = {
  ...object(
    {
      path: text('Relative path inside the repository; no "..", not absolute'),
      language: text(),
      action: maybe(oneOf(FILE_ACTIONS)),
      content: { type: 'string', description: 'Full file content' },
    },
    ['action', 'content'],
  ),
  // A deleted file needs no content; every other file needs some.
  if: { properties: { action: { const: 'delete' } }, required: ['action'] },
  else: { required: ['content'], properties: { content: text() } },
};

/**
 * One full JSON schema per output kind: the single declaration of its structure. The host validates outputs
 * against it (compiled once, see compiled-validator.ts); what JSON Schema cannot say (duplicate names, safe
 * paths, a plan without cycles, the correct key among the options …) is in the kind's rules.
 */
export const FULL_OUTPUT_SCHEMAS: Readonly<Record<OutputKind, JsonSchema>> = {
  plan: object({
    summary: text('What the plan achieves'),
    tasks: list(
      object(
        {
          id: text('Unique id within the plan, e.g. "t1"'),
          title: text(),
          description: text(),
          role: maybe(text('Catalog role that should do it, e.g. backend_dev')),
          capability: maybe(text('Catalog capability that should do it, e.g. cardiology')),
          topic: maybe(
            text('The subject this task covers when the plan assigns one (e.g. the MCQ topic), without prefixes'),
          ),
          depends_on: texts('Ids of tasks that must finish first; no cycles'),
        },
        ['role', 'capability', 'topic'],
      ),
      'Tasks; each names a role or a capability',
    ),
  }),
  design_doc: object(
    {
      title: text(),
      summary: text(undefined, 20),
      components: list(object({ name: text(), responsibility: text() })),
      interfaces: list(object({ name: text(), description: text() }), undefined, 0),
      decisions: list(object({ decision: text(), rationale: text() })),
      risks: list(object({ risk: text(), mitigation: text() }), undefined, 0),
      open_questions: maybe(texts()),
    },
    ['open_questions'],
  ),
  code_change: object(
    {
      summary: text(),
      files: list(codeFile),
      tests: maybe(texts('Tests that cover the change')),
    },
    ['tests'],
  ),
  review: object({
    verdict: oneOf(REVIEW_VERDICTS),
    summary: text(),
    issues: list(
      object(
        {
          severity: oneOf(ISSUE_SEVERITIES),
          description: text(),
          location: maybe(text()),
          suggestion: maybe(text()),
        },
        ['location', 'suggestion'],
      ),
      'Findings; required for revise and reject',
      0,
    ),
  }),
  test_plan: object(
    {
      summary: text(),
      scope: text(),
      test_cases: list(
        object({ id: text(), title: text(), type: oneOf(TEST_TYPES), steps: list(text()), expected_result: text() }),
      ),
      risks: maybe(texts()),
    },
    ['risks'],
  ),
  deployment_plan: object({
    summary: text(),
    environment: text(),
    steps: list(
      object(
        {
          order: integer(1, MAX_ORDER, '1..n in order'),
          action: text(),
          command: maybe(text()),
          verification: text(),
        },
        ['command'],
      ),
    ),
    rollback: list(
      object({ order: integer(1, MAX_ORDER), action: text(), command: hostOnly(maybe(text())) }, ['command']),
    ),
    health_checks: list(text()),
  }),
  mcq_item: object({
    topic: text(),
    stem: text('Clinical vignette ending in a question', 20),
    options: list(
      object({ key: oneOf(MCQ_OPTION_KEYS), text: text() }),
      '4 or 5 options with distinct keys and texts',
      4,
      5,
    ),
    correct_key: oneOf(MCQ_OPTION_KEYS, 'Exactly one key, present among the options'),
    explanation: text('Why the key is right and each distractor wrong', 20),
    references: list(text(), 'Guidelines or textbooks'),
    difficulty: oneOf(MCQ_DIFFICULTIES),
  }),
};

export const FULL_CONSULTATION_SCHEMA: JsonSchema = object({
  answer: text(),
  confidence: { type: 'number', description: '0 to 1', minimum: 0, maximum: 1 },
  rationale: text(),
});

/**
 * Sent to providers as the response format: the full schemas within the subset OpenAI and Anthropic structured
 * outputs accept (no string patterns, numeric bounds, or minItems above 1), derived so they can not drift.
 */
export const OUTPUT_SCHEMAS: Readonly<Record<OutputKind, JsonSchema>> = Object.fromEntries(
  Object.entries(FULL_OUTPUT_SCHEMAS).map(([kind, schema]) => [kind, toProviderSchema(schema)]),
) as Record<OutputKind, JsonSchema>;

export const CONSULTATION_SCHEMA: JsonSchema = toProviderSchema(FULL_CONSULTATION_SCHEMA);
