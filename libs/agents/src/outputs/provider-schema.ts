import type { JsonSchema } from './schema-builders';

/** Keywords the host checks that structured outputs reject (or that only the host understands). */
const HOST_ONLY_KEYWORDS = new Set([
  'pattern',
  'maxItems',
  'minimum',
  'maximum',
  'nullable',
  'if',
  'then',
  'else',
  'x-host-only',
]);

const isHostOnly = (schema: unknown): boolean =>
  typeof schema === 'object' && schema !== null && (schema as JsonSchema)['x-host-only'] === true;

/**
 * The response format a provider is sent for a full schema: host-only keywords and properties dropped, minItems
 * capped at 1, null taken out of enums, objects closed, and a property required only conditionally (`else`) sent
 * as required — a structured output always fills it.
 */
export function toProviderSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (HOST_ONLY_KEYWORDS.has(keyword)) continue;
    switch (keyword) {
      case 'properties':
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, JsonSchema>)
            .filter(([, property]) => !isHostOnly(property))
            .map(([name, property]) => [name, toProviderSchema(property)]),
        );
        break;
      case 'items':
        out.items = toProviderSchema(value as JsonSchema);
        break;
      case 'enum':
        out.enum = (value as unknown[]).filter((v) => v !== null);
        break;
      case 'minItems':
        out.minItems = Math.min(value as number, 1);
        break;
      case 'required': {
        const required = new Set([
          ...(value as string[]),
          ...(((schema.else as JsonSchema)?.required as string[]) ?? []),
        ]);
        out.required = Object.keys(out.properties as JsonSchema).filter((name) => required.has(name));
        break;
      }
      default:
        out[keyword] = value;
    }
  }
  if (schema.type === 'object') out.additionalProperties = false;
  return out;
}
