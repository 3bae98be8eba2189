import { JsonSchema, nonBlankPattern } from '../schema/json-schema';
import { PATH_MESSAGE, SCOPE_PATH_PATTERN } from './workflow-paths';
import { INPUT_FIELD_TYPES, STEP_TYPES, StepType } from './workflow-definition';

/*
 * The structure of a workflow definition, declared once. `validateWorkflowDefinition` checks a definition against it
 * (compiled once by ajv) and then runs the rules JSON Schema can not say (workflow-definition.rules.ts).
 *
 * Three annotations word the issues (they do not validate anything):
 * - `x-message`: what a value that fails this schema is told (a wrong type, pattern, bound, enum …);
 * - `x-needs`: what an object is told when none of its `anyOf` alternatives holds;
 * - `x-name`: what a closed object is called in "unknown field for …" (default: just "unknown field").
 */

/** Workflow names and step ids: snake_case, starting with a letter. */
export const WORKFLOW_NAME_PATTERN = '^[a-z][a-z0-9_]{0,99}$';
export const STEP_ID_PATTERN = '^[a-z][a-z0-9_]{0,63}$';

const said = (schema: JsonSchema, message: string): JsonSchema => ({ ...schema, 'x-message': message });

const nonEmpty = said({ type: 'string', pattern: nonBlankPattern() }, 'must be a non-empty string');
const snakeWord = said({ type: 'string', pattern: STEP_ID_PATTERN }, 'must be a snake_case word');
const scopePath = said({ type: 'string', pattern: SCOPE_PATH_PATTERN }, PATH_MESSAGE);
const stepRef = said({ type: 'string' }, 'must be a step id');
/** A mapping (any JSON; its "$" strings are checked by the rules). */
const anyJson: JsonSchema = {};

function integer(minimum: number, maximum: number): JsonSchema {
  const range = minimum < 0 ? `${minimum}..${maximum}` : `${minimum}-${maximum}`;
  return said({ type: 'integer', minimum, maximum }, `must be an integer ${range}`);
}

function oneOfWords(values: readonly string[], message = `must be one of ${values.join(', ')}`): JsonSchema {
  return said({ type: 'string', enum: [...values] }, message);
}

/** An object that names every field it may have (a misspelt field is an error), `required` among them. */
function closed(
  properties: Record<string, JsonSchema>,
  required: string[] = [],
  message = 'must be an object',
  name?: string,
): JsonSchema {
  return {
    type: 'object',
    'x-message': message,
    ...(name === undefined ? {} : { 'x-name': name }),
    properties,
    required,
    additionalProperties: false,
  };
}

/** Who runs a task: agent_id, role or capability — each a literal (checked against the catalog) or a path. */
const assignment: JsonSchema = {
  ...closed(
    {
      agent_id: said({ type: 'string', minLength: 1 }, 'must be a string'),
      role: said({ type: 'string', minLength: 1 }, 'must be a string'),
      capability: said({ type: 'string', minLength: 1 }, 'must be a string'),
      min_proficiency: integer(1, 10),
    },
    [],
    'must be an object with agent_id, role or capability',
  ),
  anyOf: [{ required: ['agent_id'] }, { required: ['role'] }, { required: ['capability'] }],
  'x-needs': 'needs agent_id, role or capability',
};

const condition: JsonSchema = {
  ...closed(
    {
      path: scopePath,
      equals: anyJson,
      not_equals: anyJson,
      in: said({ type: 'array' }, 'must be a list'),
      exists: said({ type: 'boolean' }, 'must be true or false'),
    },
    ['path'],
    'must be {path, equals|not_equals|in|exists}',
  ),
  anyOf: [{ required: ['equals'] }, { required: ['not_equals'] }, { required: ['in'] }, { required: ['exists'] }],
  'x-needs': 'needs equals, not_equals, in or exists',
};

const conditionalEdge = closed(
  {
    cases: said(
      {
        type: 'array',
        minItems: 1,
        items: closed(
          {
            when: condition,
            to: stepRef,
            /** Bounded loop: the case is taken at most this many times per frame. */
            max_traversals: integer(1, 100),
          },
          ['when', 'to'],
        ),
      },
      'must be a non-empty list',
    ),
    default: stepRef,
  },
  ['cases'],
);

/** Where a step goes next: a step id or {cases, default}. */
const edge: JsonSchema = said(
  { type: ['string', 'object'], if: { type: 'object' }, then: conditionalEdge },
  'must be a step id or {cases, default}',
);

const kind = (type: StepType): JsonSchema => ({ type: 'string', const: type });

const STEP_KINDS: Record<StepType, JsonSchema> = {
  task: closed(
    {
      type: kind('task'),
      title: nonEmpty,
      description: nonEmpty,
      assign: assignment,
      input: anyJson,
      timeout_seconds: integer(1, 86_400),
      max_attempts: integer(1, 20),
      priority: integer(-1000, 1000),
      on_failure: stepRef,
      next: edge,
    },
    ['type', 'title', 'assign'],
    undefined,
    'a task step',
  ),
  foreach: closed(
    { type: kind('foreach'), items: scopePath, body: { $ref: '#/$defs/graph' }, on_failure: stepRef, next: edge },
    ['type', 'items', 'body'],
    undefined,
    'a foreach step',
  ),
  dag: closed(
    {
      type: kind('dag'),
      tasks: scopePath,
      input: anyJson,
      assign_default: assignment,
      timeout_seconds: integer(1, 86_400),
      max_attempts: integer(1, 20),
      on_failure: stepRef,
      next: edge,
    },
    ['type', 'tasks'],
    undefined,
    'a dag step',
  ),
  approval: closed(
    {
      type: kind('approval'),
      prompt: nonEmpty,
      decisions: said(
        { type: 'array', minItems: 1, uniqueItems: true, items: snakeWord },
        'must be a non-empty list of distinct snake_case words',
      ),
      next: edge,
    },
    ['type', 'prompt'],
    undefined,
    'an approval step',
  ),
  end: closed(
    {
      type: kind('end'),
      status: oneOfWords(['completed', 'failed'], 'must be completed or failed'),
      outcome: snakeWord,
      output: anyJson,
      error: nonEmpty,
    },
    ['type'],
    undefined,
    'an end step',
  ),
};

const steps: JsonSchema = said(
  {
    type: 'object',
    minProperties: 1,
    propertyNames: said({ type: 'string', pattern: STEP_ID_PATTERN }, 'step ids are snake_case identifiers'),
    additionalProperties: { $ref: '#/$defs/step' },
  },
  'must be an object with at least one step',
);

const inputField = closed(
  { type: oneOfWords(INPUT_FIELD_TYPES), description: said({ type: 'string' }, 'must be a string') },
  ['type'],
);

/** The JSON Schema of a workflow definition file, and of the body of `PUT /api/workflows/{name}`. */
export const WORKFLOW_DEFINITION_SCHEMA: JsonSchema = {
  $id: 'https://expert-agents/schemas/workflow-definition.json',
  ...closed(
    {
      name: said({ type: 'string', pattern: WORKFLOW_NAME_PATTERN }, 'must be a snake_case identifier'),
      description: nonEmpty,
      input: closed({
        required: said({ type: 'array', items: { type: 'string' } }, 'must be a list of field names'),
        properties: said({ type: 'object', additionalProperties: inputField }, 'must be an object of fields'),
      }),
      start: stepRef,
      steps,
      budget: closed({
        max_tokens: said({ type: 'integer', minimum: 1 }, 'must be an integer >= 1'),
        max_cost_usd: said({ type: 'number', exclusiveMinimum: 0 }, 'must be a number > 0'),
      }),
    },
    ['name', 'description', 'start', 'steps'],
    'definition must be a JSON object',
  ),
  $defs: {
    /** A foreach body: a graph of its own (its steps can not reach the enclosing graph's). */
    graph: closed({ start: stepRef, steps }, ['start', 'steps'], 'must be a graph {start, steps}'),
    step: said(
      {
        type: 'object',
        discriminator: { propertyName: 'type' },
        oneOf: STEP_TYPES.map((type) => STEP_KINDS[type]),
      },
      'must be an object',
    ),
  },
};
