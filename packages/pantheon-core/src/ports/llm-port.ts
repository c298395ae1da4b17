import type { Message, ToolCall, ToolSpec } from '../types';

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
}

/** Token counts a provider reports, placed in the reply's `metadata.usage`. */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

/** One event of a streamed reply; the last one is always `finish` with the whole message. */
export type LlmStreamEvent =
  | { type: 'text-delta'; delta: string }
  | { type: 'tool-call'; toolCall: ToolCall }
  | { type: 'finish'; message: Message };

/** A language model. */
export interface LlmPort {
  /** One reply (role `assistant`) to `messages`. */
  complete(messages: Message[], options?: LlmCompleteOptions): Promise<Message>;
  /** The same reply, streamed. */
  stream?(messages: Message[], options?: LlmCompleteOptions): AsyncIterable<LlmStreamEvent>;
}
