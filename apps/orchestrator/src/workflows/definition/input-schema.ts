import { InputField, WorkflowDefinition } from '@app/contracts';

export interface JsonSchema {
  type?: string;
  description?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
}

const INPUT_REF = /\$\.input\.([A-Za-z_][A-Za-z0-9_]*)/g;

/** Every `$.input.<field>` a definition reads, in first-use order (templates included). */
export function referencedInputFields(definition: WorkflowDefinition): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') for (const m of value.matchAll(INPUT_REF)) found.add(m[1]);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(definition.steps);
  return [...found];
}

function fieldSchema(field: InputField | undefined): JsonSchema {
  const description = field?.description ? { description: field.description } : {};
  switch (field?.type ?? 'string') {
    case 'string_list':
      return { type: 'array', items: { type: 'string' }, ...description };
    case 'integer':
      return { type: 'integer', ...description };
    case 'number':
      return { type: 'number', ...description };
    case 'boolean':
      return { type: 'boolean', ...description };
    case 'object':
      return { type: 'object', ...description };
    case 'string':
      return { type: 'string', ...description };
  }
}

/**
 * The JSON Schema of a run's input: the declared fields (`input.properties`), plus every other
 * field the steps read as an undocumented string, except `scripted` (steering of the offline
 * provider, an object). Forms and clients build on it; the run itself checks only `required`.
 */
export function inputSchema(definition: WorkflowDefinition): JsonSchema {
  const declared = definition.input?.properties ?? {};
  const names = [...new Set([...Object.keys(declared), ...referencedInputFields(definition)])];
  const properties: Record<string, JsonSchema> = {};
  for (const name of names) {
    properties[name] =
      name === 'scripted' && !declared[name]
        ? { type: 'object', description: 'Steering of the scripted model provider, per step' }
        : fieldSchema(declared[name]);
  }
  return { type: 'object', required: definition.input?.required ?? [], properties, additionalProperties: true };
}
