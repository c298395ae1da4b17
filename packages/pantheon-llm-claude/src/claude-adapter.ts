import Anthropic from '@anthropic-ai/sdk';
import type { Stream } from '@anthropic-ai/sdk/core/streaming';
import type {
  MessageCreateParamsNonStreaming,
  RawMessageStreamEvent,
} from '@anthropic-ai/sdk/resources/messages';
import {
  ConfigError,
  type LlmCompleteOptions,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
} from '@promethean-os/pantheon-core';
import { llmConnection, pumpLlmStream } from '@promethean-os/pantheon-core/adapter-kit';
import { toClaudeLlmError } from './claude-error-mapping';
import {
  fromClaudeMessage,
  toClaudeConversation,
  toClaudeToolChoice,
  toClaudeTools,
} from './claude-message-mapping';
import { ClaudeStreamAccumulator } from './claude-stream-accumulator';

/** The model used when neither the adapter nor the call names one: the current Sonnet. */
export const DEFAULT_CLAUDE_MODEL = 'claude-sonnet-5-5';

/**
 * `max_tokens` when neither the adapter nor the call sets one. Claude's adaptive thinking spends
 * from the same budget, and it stays below the SDK's limit for requests that are not streamed.
 */
export const DEFAULT_CLAUDE_MAX_TOKENS = 16_384;

/**
 * Models that answer a forced tool choice (`tool_choice` `any` or `tool`) with HTTP 400. For them a
 * `toolChoice` of `'required'` or `{ name }` is dropped and the model decides (`auto`).
 */
export const MODELS_WITHOUT_FORCED_TOOL_CHOICE: readonly string[] = [
  'claude-sonnet-5-5',
  'claude-opus-5-5',
  'claude-fable-5-1',
];

/** Settings of `ClaudeAdapter`. */
export interface ClaudeAdapterOptions {
  /** API key. Defaults to the `ANTHROPIC_API_KEY` environment variable. Not needed with `client`. */
  apiKey?: string;
  /** Base URL of the API. Defaults to `ANTHROPIC_BASE_URL`, then `https://api.anthropic.com`. */
  baseURL?: string;
  /** Model used when a call names none. Default `DEFAULT_CLAUDE_MODEL`. */
  model?: string;
  /** `max_tokens` when a call sets none (Claude requires one). Default `DEFAULT_CLAUDE_MAX_TOKENS`. */
  maxTokens?: number;
  /** Timeout of one HTTP attempt in milliseconds. SDK default: 10 minutes. */
  timeout?: number;
  /** Retries of 408/409/429/5xx and connection failures (with backoff). SDK default: 2. */
  maxRetries?: number;
  /** A ready `Anthropic` client; the other connection options are then ignored. */
  client?: Anthropic;
}

function forcesTool(choice: LlmCompleteOptions['toolChoice']): boolean {
  return choice === 'required' || typeof choice === 'object';
}

/**
 * `LlmPort` on the Claude Messages API, through `@anthropic-ai/sdk` (API version 2026-10-21).
 * System messages go to the top-level `system` field. Options the API no longer accepts are not
 * sent: `temperature` never (the API rejects every sampling parameter), and a forced `toolChoice`
 * on the models of `MODELS_WITHOUT_FORCED_TOOL_CHOICE`; the reply lists them in
 * `metadata.droppedOptions`. Every failure is an `LlmError` with `provider: 'anthropic'`.
 *
 * @example
 * const llm = new ClaudeAdapter({ maxTokens: 4096 }); // reads ANTHROPIC_API_KEY
 * const reply = await llm.complete([
 *   { role: 'system', content: 'You are terse.' },
 *   { role: 'user', content: 'Name a prime number.' },
 * ]);
 * console.log(reply.content, reply.metadata?.usage);
 */
export class ClaudeAdapter implements LlmPort {
  /** The SDK client in use. */
  readonly client: Anthropic;
  /** The model used when a call names none. */
  readonly model: string;
  /** `max_tokens` when a call sets none. */
  readonly maxTokens: number;

  /** @throws ConfigError when no API key is given and `ANTHROPIC_API_KEY` is not set. */
  constructor(options: ClaudeAdapterOptions = {}) {
    this.model = options.model ?? DEFAULT_CLAUDE_MODEL;
    this.maxTokens = options.maxTokens ?? DEFAULT_CLAUDE_MAX_TOKENS;
    if (!Number.isInteger(this.maxTokens) || this.maxTokens < 1) {
      throw new ConfigError('ClaudeAdapter: maxTokens must be a positive integer', {
        maxTokens: this.maxTokens,
      });
    }
    this.client = options.client ?? ClaudeAdapter.createClient(options);
  }

  private static createClient(options: ClaudeAdapterOptions): Anthropic {
    const { apiKey, baseURL } = llmConnection('ClaudeAdapter', options, {
      apiKey: 'ANTHROPIC_API_KEY',
      baseURL: 'ANTHROPIC_BASE_URL',
    });
    return new Anthropic({
      apiKey,
      ...(baseURL === undefined ? {} : { baseURL }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    });
  }

  /** One assistant reply; tool calls in `toolCalls`, token counts in `metadata.usage`. */
  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    try {
      const { body, droppedOptions } = this.request(messages, options);
      const reply = await this.client.messages.create(body, { signal: options.signal });
      return fromClaudeMessage(reply, droppedOptions);
    } catch (error) {
      throw toClaudeLlmError(error, options.signal);
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
    let events: Stream<RawMessageStreamEvent>;
    let accumulator: ClaudeStreamAccumulator;
    try {
      const { body, droppedOptions } = this.request(messages, options);
      accumulator = new ClaudeStreamAccumulator(droppedOptions);
      events = await this.client.messages.create({ ...body, stream: true }, { signal });
    } catch (error) {
      throw toClaudeLlmError(error, signal);
    }
    yield* pumpLlmStream(events, accumulator, {
      signal,
      toError: (error) => toClaudeLlmError(error, signal),
      abort: () => events.controller.abort(),
    });
  }

  private request(
    messages: readonly Message[],
    options: LlmCompleteOptions,
  ): { body: MessageCreateParamsNonStreaming; droppedOptions: string[] } {
    const model = options.model ?? this.model;
    const { system, messages: turns } = toClaudeConversation(messages);
    const body: MessageCreateParamsNonStreaming = {
      model,
      max_tokens: options.maxTokens ?? this.maxTokens,
      messages: turns,
    };
    if (system !== undefined) body.system = system;
    const droppedOptions: string[] = [];
    // API version 2026-10-21 answers any temperature (even 1.0) with HTTP 400.
    if (options.temperature !== undefined) droppedOptions.push('temperature');
    if (options.tools?.length) {
      body.tools = toClaudeTools(options.tools);
      const choice = options.toolChoice;
      if (choice !== undefined) {
        const unsupported =
          forcesTool(choice) &&
          MODELS_WITHOUT_FORCED_TOOL_CHOICE.some((prefix) => model.startsWith(prefix));
        if (unsupported) droppedOptions.push('toolChoice');
        else body.tool_choice = toClaudeToolChoice(choice);
      }
    }
    return { body, droppedOptions };
  }
}
