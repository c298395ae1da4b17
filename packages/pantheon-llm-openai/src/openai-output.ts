import { type JsonSchema, LlmError } from '@promethean-os/pantheon-core';
import {
  isJsonObject,
  isObjectSchema,
  type LlmOutput,
  mapJsonSchema,
} from '@promethean-os/pantheon-core/adapter-kit';
import type { ResponseFormatJSONSchema } from 'openai/resources/shared';

function notStrict(output: LlmOutput, path: string, reason: string): LlmError {
  return new LlmError(
    `OpenAI strict structured output cannot take the output schema "${output.name}": ${reason} (at ${path}). ` +
      'Make every property required (a value that may be missing as nullable, e.g. z.string().nullable()) ' +
      'and allow no additional properties, or pass output.strict: false',
    { name: output.name, path },
    { code: 'LLM_BAD_REQUEST', provider: 'openai', retryable: false },
  );
}

/**
 * The output's JSON Schema in the form OpenAI's strict mode takes: objects without
 * `additionalProperties` get `false`; an object that allows more properties, or with a property
 * that is not required, is an `LlmError` `LLM_BAD_REQUEST` saying what to change. Without
 * `strict`, the schema as it is.
 */
export function openAiOutputSchema(output: LlmOutput): JsonSchema {
  if (!output.strict) return output.jsonSchema;
  return mapJsonSchema(output.jsonSchema, (node, path) => {
    if (!isObjectSchema(node)) return node;
    if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
      throw notStrict(output, path, 'an object allows additional properties');
    }
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    const optional = Object.keys(isJsonObject(node.properties) ? node.properties : {}).filter(
      (name) => !required.has(name),
    );
    if (optional.length > 0) {
      throw notStrict(
        output,
        path,
        `the properties ${optional.map((name) => `"${name}"`).join(', ')} are not required`,
      );
    }
    return { ...node, additionalProperties: false };
  });
}

/** The `json_schema` response format of Chat Completions (`text.format` of the Responses API). */
export function openAiJsonSchemaFormat(
  output: LlmOutput,
): ResponseFormatJSONSchema.JSONSchema & { schema: JsonSchema } {
  const format: ResponseFormatJSONSchema.JSONSchema & { schema: JsonSchema } = {
    name: output.name,
    schema: openAiOutputSchema(output),
    strict: output.strict,
  };
  if (output.description !== undefined) format.description = output.description;
  return format;
}
