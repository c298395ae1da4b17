import type { JSONOutputFormat } from '@anthropic-ai/sdk/resources/messages';
import {
  isObjectSchema,
  type LlmOutput,
  mapJsonSchema,
} from '@promethean-os/pantheon-core/adapter-kit';

/**
 * The output as Claude's `output_config.format`: its JSON Schema, every object schema that does
 * not say otherwise closed with `additionalProperties: false`, as Claude's JSON outputs require.
 * Optional properties stay optional.
 */
export function claudeOutputFormat(output: LlmOutput): JSONOutputFormat {
  const schema = mapJsonSchema(output.jsonSchema, (node) =>
    isObjectSchema(node) && node.additionalProperties === undefined
      ? { ...node, additionalProperties: false }
      : node,
  );
  return { type: 'json_schema', schema };
}
