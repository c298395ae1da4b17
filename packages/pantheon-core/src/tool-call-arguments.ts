import { LlmError } from './errors';

/** Where a tool call's arguments came from, for the error raised when they are unusable. */
export interface ToolCallArgumentsSource {
  /** `'openai'`, `'anthropic'`, … */
  provider: string;
  toolName: string;
  toolCallId?: string;
}

/** True for a plain JSON object (not `null`, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidArguments(source: ToolCallArgumentsSource, reason: string, cause?: unknown) {
  return new LlmError(
    `The model called tool "${source.toolName}" with arguments that ${reason}`,
    { toolName: source.toolName, toolCallId: source.toolCallId },
    { code: 'LLM_INVALID_RESPONSE', provider: source.provider, retryable: false, cause },
  );
}

/**
 * A tool call's arguments as an object, from the JSON text a provider sends. Blank text means no
 * arguments (`{}`), as providers send for tools without parameters. Anything that is not the text of
 * a JSON object is an `LlmError` with code `LLM_INVALID_RESPONSE`.
 */
export function parseToolCallArguments(
  text: string,
  source: ToolCallArgumentsSource,
): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidArguments(source, `are not valid JSON: ${text.slice(0, 200)}`, error);
  }
  return checkToolCallArguments(parsed, source);
}

/**
 * A tool call's already-decoded arguments, checked to be a JSON object; anything else is an
 * `LlmError` with code `LLM_INVALID_RESPONSE`.
 */
export function checkToolCallArguments(
  value: unknown,
  source: ToolCallArgumentsSource,
): Record<string, unknown> {
  if (!isJsonObject(value)) {
    throw invalidArguments(
      source,
      `are not a JSON object: ${JSON.stringify(value)?.slice(0, 200)}`,
    );
  }
  return value;
}
