import { formatIssue, validateWorkflowDefinition, WorkflowDefinition } from '@app/contracts';
import { inputSchema, referencedInputFields } from './input-schema';

const validateDefinition = (raw: unknown): string[] => validateWorkflowDefinition(raw).map(formatIssue);

const definition = (input?: WorkflowDefinition['input']): WorkflowDefinition => ({
  name: 'demo',
  description: 'demo',
  ...(input ? { input } : {}),
  start: 'a',
  steps: {
    a: {
      type: 'task',
      title: 'A {{ $.input.topic }} for {{ $.input.audience }}',
      assign: { role: '$.input.role' },
      input: { topics: '$.input.topics', scripted: '$.input.scripted.a' },
      next: 'b',
    },
    b: { type: 'end', output: { count: '$.input.count' } },
  },
});

describe('input schema of a workflow definition', () => {
  it('finds every $.input field the steps read, templates and assignments included', () => {
    expect(referencedInputFields(definition())).toEqual(['topic', 'audience', 'role', 'topics', 'scripted', 'count']);
  });

  it('types declared fields, lists undeclared ones as strings, and keeps the required list', () => {
    const schema = inputSchema(
      definition({
        required: ['topics'],
        properties: { topics: { type: 'string_list', description: 'one per item' }, count: { type: 'integer' } },
      }),
    );
    expect(schema).toMatchObject({ type: 'object', required: ['topics'], additionalProperties: true });
    expect(schema.properties).toEqual({
      topics: { type: 'array', items: { type: 'string' }, description: 'one per item' },
      count: { type: 'integer' },
      topic: { type: 'string' },
      audience: { type: 'string' },
      role: { type: 'string' },
      scripted: { type: 'object', description: 'Steering of the scripted model provider, per step' },
    });
    expect(inputSchema(definition()).required).toEqual([]);
  });

  it('the validator refuses a declared field of an unknown type or with a non-string description', () => {
    const raw = (properties: unknown) => ({ ...definition(), input: { required: [], properties } });
    expect(validateDefinition(raw({ topics: { type: 'string_list' } }))).toEqual([]);
    expect(validateDefinition(raw({ topics: { type: 'list' } }))).toEqual([
      'input.properties.topics.type: must be one of string, string_list, integer, number, boolean, object',
    ]);
    expect(validateDefinition(raw({ topics: { type: 'string', description: 3 } }))).toEqual([
      'input.properties.topics.description: must be a string',
    ]);
    expect(validateDefinition(raw([]))).toEqual(['input.properties: must be an object of fields']);
  });
});
