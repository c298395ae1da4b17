import { isJsonObject } from './tool-call-arguments';
import type { JsonSchema } from './types';

/** Keywords whose value is one subschema. */
const SCHEMA_KEYWORDS = [
  'items',
  'additionalItems',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
];
/** Keywords whose value is a list of subschemas. */
const SCHEMA_LIST_KEYWORDS = ['anyOf', 'allOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to subschemas. */
const SCHEMA_MAP_KEYWORDS = ['properties', '$defs', 'definitions', 'patternProperties'];

/**
 * A copy of a JSON Schema in which every schema — the root and each subschema, innermost first —
 * is replaced by `visit(copy, path)` (`path` like `(root).properties.tags.items`). For adapters
 * that must adapt an output or tool schema to a provider's rules (close objects, require
 * properties) or reject it with the path of what breaks them. The input is not changed.
 */
export function mapJsonSchema(
  schema: JsonSchema,
  visit: (node: JsonSchema, path: string) => JsonSchema,
): JsonSchema {
  const walk = (node: unknown, path: string): unknown => {
    if (!isJsonObject(node)) return node;
    const copy: JsonSchema = { ...node };
    for (const keyword of SCHEMA_KEYWORDS) {
      if (isJsonObject(copy[keyword])) copy[keyword] = walk(copy[keyword], `${path}.${keyword}`);
    }
    for (const keyword of SCHEMA_LIST_KEYWORDS) {
      const list = copy[keyword];
      if (Array.isArray(list)) {
        copy[keyword] = list.map((item, index) => walk(item, `${path}.${keyword}[${index}]`));
      }
    }
    for (const keyword of SCHEMA_MAP_KEYWORDS) {
      const map = copy[keyword];
      if (isJsonObject(map)) {
        copy[keyword] = Object.fromEntries(
          Object.entries(map).map(([key, value]) => [
            key,
            walk(value, `${path}.${keyword}.${key}`),
          ]),
        );
      }
    }
    return visit(copy, path);
  };
  return walk(schema, '(root)') as JsonSchema;
}

/** True for a schema that describes objects (`type: 'object'`, or `properties` given). */
export function isObjectSchema(schema: JsonSchema): boolean {
  const { type } = schema;
  return (
    type === 'object' ||
    (Array.isArray(type) && type.includes('object')) ||
    isJsonObject(schema.properties)
  );
}
