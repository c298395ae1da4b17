import type { JSONOutputFormat, Tool } from '@anthropic-ai/sdk/resources/messages';
import type { Message } from '@promethean-os/pantheon-core';
import {
  isObjectSchema,
  type LlmOutput,
  mapJsonSchema,
} from '@promethean-os/pantheon-core/adapter-kit';
import { CLAUDE_CONTENT_METADATA_KEY } from './claude-message-mapping';

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

/**
 * How `ClaudeAdapter` asks for a structured `output`: `'native'` with Claude's JSON outputs
 * (`output_config.format`), `'tool'` with a forced tool whose input is the answer (for models
 * without JSON outputs), `'auto'` native except on the models of
 * `CLAUDE_MODELS_WITHOUT_STRUCTURED_OUTPUT`.
 */
export type ClaudeStructuredOutput = 'native' | 'tool' | 'auto';

/**
 * Prefixes of the models without Claude's JSON outputs (`output_config.format`), which
 * `structuredOutput: 'auto'` asks through a forced tool instead. Anthropic lists JSON outputs for
 * Claude Sonnet 4.5, Haiku 4.5, Opus 4.5 and every later model; these are the older ones still
 * served: the Claude 3 family, Claude Sonnet 4 and Opus 4 (aliases `-4-0` and dated
 * `-4-2025…` ids) and Opus 4.1.
 */
export const CLAUDE_MODELS_WITHOUT_STRUCTURED_OUTPUT: readonly string[] = [
  'claude-3',
  'claude-sonnet-4-0',
  'claude-sonnet-4-2025',
  'claude-opus-4-0',
  'claude-opus-4-2025',
  'claude-opus-4-1',
];

/** The property a non-object output is wrapped in: a tool's input must be an object. */
const WRAPPED_KEY = 'value';

/** How an output travels as a forced tool: its name, and whether its value is wrapped. */
export interface ClaudeOutputTool {
  name: string;
  wrapped: boolean;
}

/** The output as a tool for `structuredOutput: 'tool'`: its input schema is the output's. */
export function claudeOutputTool(output: LlmOutput): { tool: Tool; via: ClaudeOutputTool } {
  const wrapped = output.jsonSchema.type !== 'object';
  const input_schema = (
    wrapped
      ? {
          type: 'object',
          properties: { [WRAPPED_KEY]: output.jsonSchema },
          required: [WRAPPED_KEY],
        }
      : output.jsonSchema
  ) as Tool['input_schema'];
  const tool: Tool = {
    name: output.name,
    description:
      output.description ??
      'Give your final answer by calling this tool once, with the answer as its input.',
    input_schema,
  };
  return { tool, via: { name: output.name, wrapped } };
}

/**
 * The reply with the output tool's call turned into the answer: its input as the JSON `content`
 * (then validated by `LlmOutput.parse`, like a native answer), the call removed from `toolCalls`,
 * and in the kept content blocks a text block in its place, so the conversation can continue
 * without a tool result for it. A reply without that call is returned unchanged.
 */
export function outputFromToolUse(reply: Message, via: ClaudeOutputTool): Message {
  const call = reply.toolCalls?.find((candidate) => candidate.name === via.name);
  if (!call) return reply;
  const value = via.wrapped ? call.args[WRAPPED_KEY] : call.args;
  const content = JSON.stringify(value) ?? '';
  const { toolCalls: _calls, ...rest } = reply;
  const answer: Message = { ...rest, content };
  const others = (reply.toolCalls ?? []).filter((candidate) => candidate !== call);
  if (others.length > 0) answer.toolCalls = others;
  const blocks = reply.metadata?.[CLAUDE_CONTENT_METADATA_KEY];
  if (Array.isArray(blocks)) {
    answer.metadata = {
      ...reply.metadata,
      [CLAUDE_CONTENT_METADATA_KEY]: blocks.map((block: { type?: string; id?: string }) =>
        block.type === 'tool_use' && block.id === call.id
          ? { type: 'text', text: content, citations: null }
          : block,
      ),
    };
  }
  return answer;
}
