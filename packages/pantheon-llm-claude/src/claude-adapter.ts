import Anthropic from '@anthropic-ai/sdk';
import type { Stream } from '@anthropic-ai/sdk/core/streaming';
import type {
  CacheControlEphemeral,
  MessageCreateParamsNonStreaming,
  RawMessageStreamEvent,
} from '@anthropic-ai/sdk/resources/messages';
import {
  ConfigError,
  type LlmCompleteOptions,
  LlmError,
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
import { toClaudeLlmError } from './claude-error-mapping';
import {
  fromClaudeMessage,
  toClaudeConversation,
  toClaudeToolChoice,
  toClaudeTools,
} from './claude-message-mapping';
import {
  CLAUDE_MODELS_WITHOUT_STRUCTURED_OUTPUT,
  type ClaudeOutputTool,
  type ClaudeStructuredOutput,
  claudeOutputFormat,
  claudeOutputTool,
  outputFromToolUse,
} from './claude-output';
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
  /**
   * Prompt caching: a `cache_control` breakpoint on the tool list and on the system prompt, so
   * that the calls of a long-running actor read them from Claude's cache (at a tenth of the price
   * of input) instead of paying for them every time; the reply's `metadata.usage` reports
   * `cacheReadTokens` and `cacheWriteTokens`. Default on, for a prefix (tools, then system prompt)
   * of at least `minChars` characters (4,096 by default, about the 1,024 tokens below which Claude
   * caches nothing); `false` turns it off.
   */
  promptCaching?: boolean | ClaudePromptCaching;
  /**
   * How a structured `output` is asked for. `'native'`: Claude's JSON outputs
   * (`output_config.format`). `'tool'`: one tool named after the output (`output.name`, default
   * `'output'`) whose input schema is the output's, forced with `tool_choice`; its input becomes
   * the reply's `content` and `output`, validated like a native answer (with other `tools`, the
   * model must call one tool: one of them, or the output tool to answer). On the models of
   * `MODELS_WITHOUT_FORCED_TOOL_CHOICE`, which reject a forced tool and have JSON outputs,
   * `'tool'` falls back to native and the reply lists `'structuredOutput'` in
   * `metadata.droppedOptions`. Default `'auto'`: native, except the tool on the models of
   * `CLAUDE_MODELS_WITHOUT_STRUCTURED_OUTPUT`.
   */
  structuredOutput?: ClaudeStructuredOutput;
}

/** Settings of `ClaudeAdapterOptions.promptCaching`. */
export interface ClaudePromptCaching {
  /** How long the cache entries live: `'5m'` (the default) or `'1h'` (writes cost more). */
  ttl?: '5m' | '1h';
  /** The fewest characters of tools and system prompt worth a breakpoint. Default 4,096. */
  minChars?: number;
}

/** `ClaudePromptCaching.minChars` when not set. */
export const DEFAULT_CACHE_MIN_CHARS = 4_096;

function forcesTool(choice: LlmCompleteOptions['toolChoice']): boolean {
  return choice === 'required' || typeof choice === 'object';
}

/**
 * `LlmPort` on the Claude Messages API, through `@anthropic-ai/sdk` (API version 2026-10-21).
 * System messages go to the top-level `system` field. Options the API no longer accepts are not
 * sent: `temperature` never (the API rejects every sampling parameter), and a forced `toolChoice`
 * on the models of `MODELS_WITHOUT_FORCED_TOOL_CHOICE`; the reply lists them in
 * `metadata.droppedOptions`. Structured `output` uses Claude's native JSON outputs
 * (`output_config.format`), or a forced tool on models without them (`structuredOutput`); long
 * system prompts and tool lists are marked for prompt caching (`promptCaching`); thinking is
 * streamed as `reasoning-delta` and kept in `metadata.reasoning`. Every failure is an `LlmError`
 * with `provider: 'anthropic'`.
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
  /** How a structured `output` is asked for (see `ClaudeAdapterOptions.structuredOutput`). */
  readonly structuredOutput: ClaudeStructuredOutput;
  private readonly caching: Required<ClaudePromptCaching> | undefined;

  /** @throws ConfigError when no API key is given and `ANTHROPIC_API_KEY` is not set. */
  constructor(options: ClaudeAdapterOptions = {}) {
    this.model = options.model ?? DEFAULT_CLAUDE_MODEL;
    this.maxTokens = options.maxTokens ?? DEFAULT_CLAUDE_MAX_TOKENS;
    if (!Number.isInteger(this.maxTokens) || this.maxTokens < 1) {
      throw new ConfigError('ClaudeAdapter: maxTokens must be a positive integer', {
        maxTokens: this.maxTokens,
      });
    }
    this.structuredOutput = options.structuredOutput ?? 'auto';
    if (!['native', 'tool', 'auto'].includes(this.structuredOutput)) {
      throw new ConfigError(`ClaudeAdapter: structuredOutput must be 'native', 'tool' or 'auto'`, {
        structuredOutput: this.structuredOutput,
      });
    }
    this.caching = ClaudeAdapter.caching(options.promptCaching);
    this.client = options.client ?? ClaudeAdapter.createClient(options);
  }

  private static caching(
    setting: ClaudeAdapterOptions['promptCaching'],
  ): Required<ClaudePromptCaching> | undefined {
    if (setting === false) return undefined;
    const given = typeof setting === 'object' && setting !== null ? setting : {};
    const caching = { ttl: given.ttl ?? '5m', minChars: given.minChars ?? DEFAULT_CACHE_MIN_CHARS };
    if (caching.ttl !== '5m' && caching.ttl !== '1h') {
      throw new ConfigError(`ClaudeAdapter: promptCaching.ttl must be '5m' or '1h'`, {
        ttl: caching.ttl,
      });
    }
    if (!Number.isInteger(caching.minChars) || caching.minChars < 0) {
      throw new ConfigError(
        'ClaudeAdapter: promptCaching.minChars must be a non-negative integer',
        {
          minChars: caching.minChars,
        },
      );
    }
    return caching;
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
      const output = outputOf(options);
      const { body, droppedOptions, outputTool } = this.request(messages, options, output);
      const received = fromClaudeMessage(
        await this.client.messages.create(body, { signal: options.signal }),
        droppedOptions,
      );
      const reply = outputTool ? outputFromToolUse(received, outputTool) : received;
      return output ? output.parse(reply) : reply;
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
      const output = outputOf(options);
      const { body, droppedOptions, outputTool } = this.request(messages, options, output);
      accumulator = new ClaudeStreamAccumulator(droppedOptions, output, outputTool);
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
    output: LlmOutput | undefined,
  ): {
    body: MessageCreateParamsNonStreaming;
    droppedOptions: string[];
    outputTool?: ClaudeOutputTool;
  } {
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
    let outputTool: ClaudeOutputTool | undefined;
    if (output && this.outputByTool(model, droppedOptions)) {
      outputTool = addOutputTool(body, output, options);
    } else if (output) {
      body.output_config = { format: claudeOutputFormat(output) };
    }
    if (this.caching) this.markCacheBreakpoints(body, this.caching);
    return outputTool ? { body, droppedOptions, outputTool } : { body, droppedOptions };
  }

  /** Whether this call's output goes through a forced tool rather than JSON outputs. */
  private outputByTool(model: string, droppedOptions: string[]): boolean {
    const matches = (prefixes: readonly string[]) =>
      prefixes.some((prefix) => model.startsWith(prefix));
    if (this.structuredOutput === 'native') return false;
    if (this.structuredOutput === 'auto') return matches(CLAUDE_MODELS_WITHOUT_STRUCTURED_OUTPUT);
    if (!matches(MODELS_WITHOUT_FORCED_TOOL_CHOICE)) return true;
    droppedOptions.push('structuredOutput');
    return false;
  }

  /**
   * Puts `cache_control` on the last tool (caching the tool list) and on the system prompt
   * (caching tools and system prompt) when what comes up to it is long enough to be cached.
   */
  private markCacheBreakpoints(
    body: MessageCreateParamsNonStreaming,
    caching: Required<ClaudePromptCaching>,
  ): void {
    const cacheControl: CacheControlEphemeral =
      caching.ttl === '5m' ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: caching.ttl };
    let prefix = 0;
    const lastTool = body.tools?.at(-1);
    if (body.tools && lastTool) {
      prefix += JSON.stringify(body.tools).length;
      if (prefix >= caching.minChars) {
        body.tools = [...body.tools.slice(0, -1), { ...lastTool, cache_control: cacheControl }];
      }
    }
    if (typeof body.system === 'string') {
      prefix += body.system.length;
      if (prefix >= caching.minChars) {
        body.system = [{ type: 'text', text: body.system, cache_control: cacheControl }];
      }
    }
  }
}

/**
 * Adds the output tool to the request and forces it: alone, that tool; next to the call's tools,
 * one tool call of the model's choice (or the one `toolChoice` names), so it may still use them.
 */
function addOutputTool(
  body: MessageCreateParamsNonStreaming,
  output: LlmOutput,
  options: LlmCompleteOptions,
): ClaudeOutputTool {
  const { tool, via } = claudeOutputTool(output);
  if (options.tools?.some((offered) => offered.name === tool.name)) {
    throw new LlmError(
      `The output "${tool.name}" is asked for through a tool, and a tool of the call has that name; give the output another name`,
      { name: tool.name },
      { code: 'LLM_BAD_REQUEST', provider: 'anthropic', retryable: false },
    );
  }
  const choice = options.toolChoice;
  const userTools = options.tools?.length ? choice !== 'none' : false;
  body.tools = [...(userTools ? (body.tools ?? []) : []), tool];
  if (!userTools)
    body.tool_choice = { type: 'tool', name: tool.name, disable_parallel_tool_use: true };
  else if (typeof choice === 'object')
    body.tool_choice = { type: 'tool', name: choice.name, disable_parallel_tool_use: true };
  else body.tool_choice = { type: 'any', disable_parallel_tool_use: true };
  return via;
}

function outputOf(options: LlmCompleteOptions): LlmOutput | undefined {
  return options.output === undefined ? undefined : llmOutput(options.output, 'anthropic');
}
