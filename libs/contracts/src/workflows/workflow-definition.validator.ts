import Ajv, { ErrorObject } from 'ajv';
import { JsonSchema } from '../schema/json-schema';
import { pointerPath, ValidationIssue } from '../schema/validation-issue';
import { KnownAgents, workflowRuleIssues } from './workflow-definition.rules';
import { WORKFLOW_DEFINITION_SCHEMA } from './workflow-definition.schema';
import { WorkflowDefinition } from './workflow-definition';

// `unicodeRegExp: false` so patterns count UTF-16 units like `trim().length`; `discriminator` picks a step's kind
// by its `type` and checks it against that kind only; `strictRequired: false` for the `anyOf` of `required` lists
// ("needs agent_id, role or capability"), which name properties their parent declares.
const ajv = new Ajv({
  allErrors: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  discriminator: true,
  unicodeRegExp: false,
});
for (const keyword of ['x-message', 'x-needs', 'x-name']) ajv.addKeyword({ keyword, schemaType: 'string' });

/**
 * The deepest a definition may nest (objects and arrays). JSON Schema can not bound depth, and the compiled
 * validator recurses into foreach bodies: a file nested a thousand levels would overflow the stack. Four times the
 * HTTP edge's default body depth (64); the shipped definitions nest about a dozen.
 */
export const MAX_WORKFLOW_DEFINITION_DEPTH = 256;

/** Compiled once, at module load. */
const validateStructure = ajv.compile<WorkflowDefinition>(WORKFLOW_DEFINITION_SCHEMA);

/**
 * Checks a parsed definition (a file, or the body of `PUT /api/workflows/{name}`): its structure against
 * `WORKFLOW_DEFINITION_SCHEMA`, then — once the structure holds — the rules JSON Schema can not say (edges name
 * steps of their graph, every loop is bounded, paths and templates parse, literal agents exist in `known`).
 * Returns every problem found, each located by its field's path; empty when the definition is valid.
 */
export function validateWorkflowDefinition(raw: unknown, known?: KnownAgents): ValidationIssue[] {
  if (nestsDeeperThan(raw, MAX_WORKFLOW_DEFINITION_DEPTH))
    return [{ path: '', message: `definition is nested deeper than ${MAX_WORKFLOW_DEFINITION_DEPTH} levels` }];
  if (!validateStructure(raw)) return schemaIssues(raw, validateStructure.errors ?? []);
  return workflowRuleIssues(raw, known);
}

/** Whether objects and arrays nest deeper than `max` levels (walked without recursion). */
function nestsDeeperThan(root: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[root, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth === max) return true;
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return false;
}

/** One issue per path (the first ajv reports), worded by the schema's annotations. */
function schemaIssues(root: unknown, errors: readonly ErrorObject[]): ValidationIssue[] {
  const byPath = new Map<string, string>();
  for (const error of errors) {
    // An `if` fails with its `then`, an `anyOf` with its alternatives, names with `propertyNames`: each is
    // worded once, by the error that says what is wrong.
    if (error.keyword === 'if' || error.keyword === 'propertyNames' || error.schemaPath.includes('/anyOf/')) continue;
    const [path, message] = described(root, error);
    if (!byPath.has(path)) byPath.set(path, message);
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
}

function described(root: unknown, error: ErrorObject): [path: string, message: string] {
  const schema = (error.parentSchema ?? {}) as JsonSchema;
  const at = (extra?: string) => pointerPath(root, error.instancePath, extra ?? error.propertyName);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const name = params.missingProperty as string;
      const values = propertyOf(schema, name)?.enum as string[] | undefined;
      return [at(name), values ? `is required (one of ${values.join(', ')})` : 'is required'];
    }
    case 'additionalProperties': {
      const name = schema['x-name'] as string | undefined;
      return [at(params.additionalProperty as string), name ? `unknown field for ${name}` : 'unknown field'];
    }
    case 'discriminator': {
      const kinds = (schema.oneOf as JsonSchema[]).map((k) => (propertyOf(k, 'type') as JsonSchema).const);
      return [at(params.tag as string), `must be one of ${kinds.join(', ')}`];
    }
    case 'anyOf':
      return [at(), (schema['x-needs'] as string | undefined) ?? error.message ?? 'is invalid'];
    default:
      return [at(), (schema['x-message'] as string | undefined) ?? error.message ?? 'is invalid'];
  }
}

const propertyOf = (schema: JsonSchema, name: string): JsonSchema | undefined =>
  (schema.properties as Record<string, JsonSchema> | undefined)?.[name];
