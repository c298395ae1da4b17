import {
  ConfigError,
  type LlmCompleteOptions,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
} from '@promethean-os/pantheon-core';
import {
  type LlmOutput,
  llmConnection,
  llmOutput,
  pumpLlmStream,
} from '@promethean-os/pantheon-core/adapter-kit';
import OpenAI from 'openai';
import type { Stream } from 'openai/core/streaming';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type {
  ResponseCreateParamsNonStreaming,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import type { ReasoningEffort } from 'openai/resources/shared';
import { toOpenAiLlmError } from './openai-error-mapping';
import {
  fromChatCompletion,
  toChatMessages,
  toChatToolChoice,
  toChatTools,
} from './openai-message-mapping';
import { openAiJsonSchemaFormat } from './openai-output';
import {
  fromResponse,
  toResponsesConversation,
  toResponsesToolChoice,
  toResponsesTools,
} from './openai-responses-mapping';
import { ResponsesStreamAccumulator } from './openai-responses-stream-accumulator';
import { ChatStreamAccumulator } from './openai-stream-accumulator';

/**
 * The model used when neither the adapter nor the call names one: a current, inexpensive OpenAI
 * model that takes function tools and structured output.
 */
export const DEFAULT_OPENAI_MODEL = 'gpt-5.4-mini';

const OPENAI_API_ORIGIN = 'https://api.openai.com';

/**
 * Prefixes of OpenAI models without reasoning, which answer a request for encrypted reasoning
 * (`include: ['reasoning.encrypted_content']`) with HTTP 400; the Responses API does not ask them
 * for it.
 */
export const OPENAI_MODELS_WITHOUT_REASONING: readonly string[] = [
  'gpt-3.5',
  'gpt-4',
  'chatgpt-4o',
  'gpt-5-chat',
];

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
   * Which OpenAI API to call. `'responses'` (the Responses API, `POST /responses`) is what current
   * OpenAI models need for tools next to reasoning, and the only one that returns reasoning
   * summaries; `'chat'` (Chat Completions, `POST /chat/completions`) is what OpenAI-compatible
   * servers (Ollama, vLLM, llama.cpp, LM Studio) speak. Default: `'responses'` on api.openai.com,
   * `'chat'` on any other `baseURL`.
   */
  api?: OpenAiApi;
  /**
   * Responses API: ask for reasoning summaries (`reasoning.summary`), streamed as
   * `reasoning-delta` events and kept in the reply's `metadata.reasoning`. Off by default (some
   * organizations must be verified to get them).
   */
  reasoningSummary?: 'auto' | 'concise' | 'detailed';
  /**
   * Responses API: let OpenAI store the responses (`store`). Default `false`: every call sends the
   * whole conversation, and reasoning items travel back encrypted
   * (`include: ['reasoning.encrypted_content']`), so nothing is kept on OpenAI's side.
   */
  store?: boolean;
  /**
   * Responses API without `store`: ask for reasoning items in encrypted form
   * (`include: ['reasoning.encrypted_content']`), so that they can be sent back. Default: yes,
   * except for the models of `OPENAI_MODELS_WITHOUT_REASONING`, which reject it.
   */
  encryptedReasoning?: boolean;
  /**
   * Chat Completions: which body field carries `maxTokens`. Default: `max_completion_tokens` on api.openai.com
   * (the only field its reasoning models accept), `max_tokens` on any other server (what Ollama,
   * LM Studio and older servers understand).
   */
  maxTokensField?: 'max_completion_tokens' | 'max_tokens';
  /**
   * Sent as `reasoning_effort` (Chat Completions) or `reasoning.effort` (Responses API) when set.
   * GPT-5.6 and GPT-6 Sol/Luna take function tools on Chat Completions only with `'none'`; the
   * Responses API has no such limit.
   */
  reasoningEffort?: ReasoningEffort;
}

/** The OpenAI API an `OpenAiAdapter` calls. */
export type OpenAiApi = 'responses' | 'chat';

type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'stream'>;
type ResponsesRequest = Omit<ResponseCreateParamsNonStreaming, 'stream'>;

/**
 * `LlmPort` on OpenAI, through the official `openai` SDK: the Responses API on api.openai.com,
 * Chat Completions on any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio) reached
 * through `baseURL` (choose with `api`). Structured `output` uses OpenAI's strict `json_schema`
 * format. Every failure is an
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
  /** The API this adapter calls. */
  readonly api: OpenAiApi;
  private readonly maxTokensField: 'max_completion_tokens' | 'max_tokens';
  private readonly reasoningEffort: ReasoningEffort | undefined;
  private readonly reasoningSummary: OpenAiAdapterOptions['reasoningSummary'];
  private readonly store: boolean;
  private readonly encryptedReasoning: boolean | undefined;

  /** @throws ConfigError when no API key is given and `OPENAI_API_KEY` is not set. */
  constructor(options: OpenAiAdapterOptions = {}) {
    this.model = options.model ?? DEFAULT_OPENAI_MODEL;
    this.reasoningEffort = options.reasoningEffort;
    this.reasoningSummary = options.reasoningSummary;
    this.store = options.store ?? false;
    this.encryptedReasoning = options.encryptedReasoning;
    this.client = options.client ?? OpenAiAdapter.createClient(options);
    const onOpenAi = this.client.baseURL.startsWith(OPENAI_API_ORIGIN);
    this.maxTokensField =
      options.maxTokensField ?? (onOpenAi ? 'max_completion_tokens' : 'max_tokens');
    this.api = options.api ?? (onOpenAi ? 'responses' : 'chat');
    if (this.api !== 'responses' && this.api !== 'chat') {
      throw new ConfigError(`OpenAiAdapter: api must be 'responses' or 'chat'`, { api: this.api });
    }
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

  /**
   * One assistant reply; tool calls in `toolCalls`, token counts in `metadata.usage`, reasoning
   * (where the model returns it) in `metadata.reasoning`, the parsed answer in `output` when the
   * call asks for one.
   */
  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    try {
      const output = outputOf(options);
      const reply =
        this.api === 'responses'
          ? fromResponse(
              await this.client.responses.create(this.responsesRequest(messages, options, output), {
                signal: options.signal,
              }),
            )
          : fromChatCompletion(
              await this.client.chat.completions.create(
                this.chatRequest(messages, options, output),
                { signal: options.signal },
              ),
            );
      return output ? output.parse(reply) : reply;
    } catch (error) {
      throw toOpenAiLlmError(error, options.signal);
    }
  }

  /**
   * The same reply, streamed: `text-delta` events as text arrives, `reasoning-delta` events for
   * reasoning (summaries), one `tool-call` event per complete tool call, then `finish` with the
   * whole message. Abort with `options.signal`.
   */
  stream(
    messages: Message[],
    options: LlmCompleteOptions = {},
  ): AsyncGenerator<LlmStreamEvent, void, undefined> {
    return this.api === 'responses'
      ? this.streamResponses(messages, options)
      : this.streamChat(messages, options);
  }

  private async *streamChat(
    messages: Message[],
    options: LlmCompleteOptions,
  ): AsyncGenerator<LlmStreamEvent, void, undefined> {
    const { signal } = options;
    let chunks: Stream<ChatCompletionChunk>;
    let output: LlmOutput | undefined;
    try {
      output = outputOf(options);
      const body: ChatCompletionCreateParamsStreaming = {
        ...this.chatRequest(messages, options, output),
        stream: true,
        stream_options: { include_usage: true },
      };
      chunks = await this.client.chat.completions.create(body, { signal });
    } catch (error) {
      throw toOpenAiLlmError(error, signal);
    }
    yield* pumpLlmStream(chunks, new ChatStreamAccumulator(output), {
      signal,
      toError: (error) => toOpenAiLlmError(error, signal),
      abort: () => chunks.controller.abort(),
    });
  }

  private async *streamResponses(
    messages: Message[],
    options: LlmCompleteOptions,
  ): AsyncGenerator<LlmStreamEvent, void, undefined> {
    const { signal } = options;
    let events: Stream<ResponseStreamEvent>;
    let output: LlmOutput | undefined;
    try {
      output = outputOf(options);
      events = await this.client.responses.create(
        { ...this.responsesRequest(messages, options, output), stream: true },
        { signal },
      );
    } catch (error) {
      throw toOpenAiLlmError(error, signal);
    }
    yield* pumpLlmStream(events, new ResponsesStreamAccumulator(output), {
      signal,
      toError: (error) => toOpenAiLlmError(error, signal),
      abort: () => events.controller.abort(),
    });
  }

  private responsesRequest(
    messages: readonly Message[],
    options: LlmCompleteOptions,
    output: LlmOutput | undefined,
  ): ResponsesRequest {
    const { instructions, input } = toResponsesConversation(messages);
    const request: ResponsesRequest = {
      model: options.model ?? this.model,
      input,
      store: this.store,
    };
    if (instructions !== undefined) request.instructions = instructions;
    if (options.temperature !== undefined) request.temperature = options.temperature;
    if (options.maxTokens !== undefined) request.max_output_tokens = options.maxTokens;
    if (options.tools?.length) {
      request.tools = toResponsesTools(options.tools);
      if (options.toolChoice !== undefined)
        request.tool_choice = toResponsesToolChoice(options.toolChoice);
    }
    if (output)
      request.text = { format: { type: 'json_schema', ...openAiJsonSchemaFormat(output) } };
    if (this.reasoningEffort !== undefined || this.reasoningSummary !== undefined) {
      request.reasoning = {};
      if (this.reasoningEffort !== undefined) request.reasoning.effort = this.reasoningEffort;
      if (this.reasoningSummary !== undefined) request.reasoning.summary = this.reasoningSummary;
    }
    // Without storage, reasoning items come back encrypted so that they can be sent again.
    const encrypted =
      this.encryptedReasoning ??
      !OPENAI_MODELS_WITHOUT_REASONING.some((prefix) => (request.model ?? '').startsWith(prefix));
    if (!this.store && encrypted) request.include = ['reasoning.encrypted_content'];
    return request;
  }

  private chatRequest(
    messages: readonly Message[],
    options: LlmCompleteOptions,
    output: LlmOutput | undefined,
  ): ChatRequest {
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
    if (output)
      request.response_format = {
        type: 'json_schema',
        json_schema: openAiJsonSchemaFormat(output),
      };
    return request;
  }
}

function outputOf(options: LlmCompleteOptions): LlmOutput | undefined {
  return options.output === undefined ? undefined : llmOutput(options.output, 'openai');
}
