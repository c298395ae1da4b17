import type { JsonSchema, Message, ToolCall, ToolSpec, ZodLikeSchema } from '../types';

/** Which tool the model must (or must not) call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** Options of one model call. */
export interface LlmCompleteOptions {
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Tools offered to the model; a reply may then carry `toolCalls`. */
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  signal?: AbortSignal;
  /**
   * Structured output: the model answers with a JSON value matching `output.schema`, which the
   * adapter parses, validates and returns in the reply's `output` (its text stays in `content`).
   * A reply that does not match is an `LlmError` with code `LLM_OUTPUT_INVALID` carrying the
   * validation issues. `completeOutput` types `output` from a zod schema.
   */
  output?: LlmOutputSpec;
}

/** What a structured output is described by: a zod schema, or a JSON Schema object. */
export type LlmOutputSchema = JsonSchema | ZodLikeSchema;

/** The structured output a call asks for (`LlmCompleteOptions.output`). */
export interface LlmOutputSpec<Schema extends LlmOutputSchema = LlmOutputSchema> {
  /** The shape of the answer: a zod schema (validated with it) or a JSON Schema. */
  schema: Schema;
  /** A name for the schema, sent to providers that take one (letters, digits, `_`, `-`; at most 64). Default `'output'`. */
  name?: string;
  /** What the output is, for the model. */
  description?: string;
  /**
   * Whether providers with a strict mode (OpenAI) must enforce the schema exactly. Default
   * `true`; strict mode needs every property `required` and no additional properties (an object
   * schema without `additionalProperties` gets `false`). Set `false` for a schema with optional
   * properties.
   */
  strict?: boolean;
}

/** Token counts a provider reports, placed in the reply's `metadata.usage`. */
export interface LlmUsage {
  /** Every input token, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Of `inputTokens`, those read from the provider's prompt cache (when it reports them). */
  cacheReadTokens?: number;
  /** Of `inputTokens`, those written to the provider's prompt cache (when it reports them). */
  cacheWriteTokens?: number;
  /** Of `outputTokens`, those spent on reasoning (when the provider reports them). */
  reasoningTokens?: number;
}

/**
 * One event of a streamed reply; the last one is always `finish` with the whole message.
 * `reasoning-delta` carries the model's reasoning or thinking text (a summary, for providers that
 * only return one) where the provider streams it; it is never part of the message's `content`.
 */
export type LlmStreamEvent =
  | { type: 'text-delta'; delta: string }
  | { type: 'reasoning-delta'; delta: string }
  | { type: 'tool-call'; toolCall: ToolCall }
  | { type: 'finish'; message: Message };

/** A language model. */
export interface LlmPort {
  /** One reply (role `assistant`) to `messages`. */
  complete(messages: Message[], options?: LlmCompleteOptions): Promise<Message>;
  /** The same reply, streamed. */
  stream?(messages: Message[], options?: LlmCompleteOptions): AsyncIterable<LlmStreamEvent>;
}
