import type {
  LlmCompleteOptions,
  LlmPort,
  LlmStreamEvent,
  Message,
} from '@promethean-os/pantheon-core';
import { llmConnection, pumpLlmStream } from '@promethean-os/pantheon-core/adapter-kit';
import OpenAI from 'openai';
import type { Stream } from 'openai/core/streaming';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { ReasoningEffort } from 'openai/resources/shared';
import { toOpenAiLlmError } from './openai-error-mapping';
import {
  fromChatCompletion,
  toChatMessages,
  toChatToolChoice,
  toChatTools,
} from './openai-message-mapping';
import { ChatStreamAccumulator } from './openai-stream-accumulator';

/**
 * The model used when neither the adapter nor the call names one: a current, inexpensive OpenAI
 * model that takes function tools and `temperature` on Chat Completions.
 */
export const DEFAULT_OPENAI_MODEL = 'gpt-5.4-mini';

const OPENAI_API_ORIGIN = 'https://api.openai.com';

/** Settings of `OpenAiAdapter`. */
export interface OpenAiAdapterOptions {
  /** API key. Defaults to the `OPENAI_API_KEY` environment variable. Not needed with `client`. */
  apiKey?: string;
  /**
   * Base URL of the API, e.g. `http://localhost:11434/v1` for Ollama. Defaults to the
   * `OPENAI_BASE_URL` environment variable, then `https://api.openai.com/v1`.
   */
  baseURL?: string;
  /** Model used when a call names none. Default `DEFAULT_OPENAI_MODEL`. */
  model?: string;
  /** OpenAI organization id. Defaults to the SDK's `OPENAI_ORG_ID` environment variable. */
  organization?: string;
  /** Timeout of one HTTP attempt in milliseconds. SDK default: 10 minutes. */
  timeout?: number;
  /** Retries of 408/409/429/5xx and connection failures (with backoff). SDK default: 2. */
  maxRetries?: number;
  /** A ready `OpenAI` client; the other connection options are then ignored. */
  client?: OpenAI;
  /**
   * Which body field carries `maxTokens`. Default: `max_completion_tokens` on api.openai.com
   * (the only field its reasoning models accept), `max_tokens` on any other server (what Ollama,
   * LM Studio and older servers understand).
   */
  maxTokensField?: 'max_completion_tokens' | 'max_tokens';
  /**
   * Sent as `reasoning_effort` when set. GPT-5.6 and GPT-6 Sol/Luna take function tools on Chat
   * Completions only with `'none'`.
   */
  reasoningEffort?: ReasoningEffort;
}

type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'stream'>;

/**
 * `LlmPort` on OpenAI Chat Completions, through the official `openai` SDK. Works with any
 * OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio) via `baseURL`. Every failure is an
 * `LlmError` (`LLM_AUTH`, `LLM_RATE_LIMIT`, `LLM_BAD_REQUEST`, `LLM_TIMEOUT`, `LLM_CONNECTION`,
 * `LLM_SERVER`, `LLM_INVALID_RESPONSE`, `LLM_ABORTED`) with `provider: 'openai'`.
 *
 * @example
 * const llm = new OpenAiAdapter({ model: 'gpt-5.4-mini' }); // reads OPENAI_API_KEY
 * const reply = await llm.complete([
 *   { role: 'system', content: 'You are terse.' },
 *   { role: 'user', content: 'Name a prime number.' },
 * ]);
 * console.log(reply.content, reply.metadata?.usage);
 *
 * // A local Ollama server:
 * const local = new OpenAiAdapter({ baseURL: 'http://localhost:11434/v1', apiKey: 'ollama', model: 'llama3.2' });
 */
export class OpenAiAdapter implements LlmPort {
  /** The SDK client in use. */
  readonly client: OpenAI;
  /** The model used when a call names none. */
  readonly model: string;
  private readonly maxTokensField: 'max_completion_tokens' | 'max_tokens';
  private readonly reasoningEffort: ReasoningEffort | undefined;

  /** @throws ConfigError when no API key is given and `OPENAI_API_KEY` is not set. */
  constructor(options: OpenAiAdapterOptions = {}) {
    this.model = options.model ?? DEFAULT_OPENAI_MODEL;
    this.reasoningEffort = options.reasoningEffort;
    this.client = options.client ?? OpenAiAdapter.createClient(options);
    this.maxTokensField =
      options.maxTokensField ??
      (this.client.baseURL.startsWith(OPENAI_API_ORIGIN) ? 'max_completion_tokens' : 'max_tokens');
  }

  private static createClient(options: OpenAiAdapterOptions): OpenAI {
    const { apiKey, baseURL } = llmConnection('OpenAiAdapter', options, {
      apiKey: 'OPENAI_API_KEY',
      baseURL: 'OPENAI_BASE_URL',
    });
    return new OpenAI({
      apiKey,
      ...(baseURL === undefined ? {} : { baseURL }),
      ...(options.organization === undefined ? {} : { organization: options.organization }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    });
  }

  /** One assistant reply; tool calls in `toolCalls`, token counts in `metadata.usage`. */
  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    try {
      const completion = await this.client.chat.completions.create(
        this.request(messages, options),
        { signal: options.signal },
      );
      return fromChatCompletion(completion);
    } catch (error) {
      throw toOpenAiLlmError(error, options.signal);
    }
  }

  /**
   * The same reply, streamed: `text-delta` events as text arrives, one `tool-call` event per
   * complete tool call, then `finish` with the whole message. Abort with `options.signal`.
   */
  async *stream(
    messages: Message[],
    options: LlmCompleteOptions = {},
  ): AsyncGenerator<LlmStreamEvent, void, undefined> {
    const { signal } = options;
    const body: ChatCompletionCreateParamsStreaming = {
      ...this.request(messages, options),
      stream: true,
      stream_options: { include_usage: true },
    };
    let chunks: Stream<ChatCompletionChunk>;
    try {
      chunks = await this.client.chat.completions.create(body, { signal });
    } catch (error) {
      throw toOpenAiLlmError(error, signal);
    }
    yield* pumpLlmStream(chunks, new ChatStreamAccumulator(), {
      signal,
      toError: (error) => toOpenAiLlmError(error, signal),
      abort: () => chunks.controller.abort(),
    });
  }

  private request(messages: readonly Message[], options: LlmCompleteOptions): ChatRequest {
    const request: ChatRequest = {
      model: options.model ?? this.model,
      messages: toChatMessages(messages),
    };
    if (options.temperature !== undefined) request.temperature = options.temperature;
    if (options.maxTokens !== undefined) request[this.maxTokensField] = options.maxTokens;
    if (options.tools?.length) {
      request.tools = toChatTools(options.tools);
      if (options.toolChoice !== undefined)
        request.tool_choice = toChatToolChoice(options.toolChoice);
    }
    if (this.reasoningEffort !== undefined) request.reasoning_effort = this.reasoningEffort;
    return request;
  }
}
