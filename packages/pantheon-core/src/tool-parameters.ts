import { toJSONSchema, type z } from 'zod';
import type { JsonSchema, ToolParameters, ZodLikeSchema } from './types';

/** True when a tool's `parameters` is a zod schema rather than a JSON Schema object. */
export function isZodSchema(parameters: ToolParameters | unknown): parameters is ZodLikeSchema {
  return typeof parameters === 'object' && parameters !== null && '_zod' in parameters;
}

/** A tool's parameters as JSON Schema, the form model providers expect. */
export function toolParametersToJsonSchema(parameters: ToolParameters): JsonSchema {
  if (!isZodSchema(parameters)) return parameters;
  const { $schema: _ignored, ...schema } = toJSONSchema(
    parameters as unknown as z.ZodType,
  ) as JsonSchema;
  return schema;
}
