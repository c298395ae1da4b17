import type {
  JSONSchema7,
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4StreamPart,
  SharedV4ProviderOptions,
} from '@ai-sdk/provider';
import {
  ConfigError,
  type LlmCompleteOptions,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
} from '@promethean-os/pantheon-core';
import {
  isJsonObject,
  type LlmOutput,
  llmAbortError,
  llmOutput,
  pumpLlmStream,
} from '@promethean-os/pantheon-core/adapter-kit';
import { toAiSdkLlmError } from './ai-sdk-error-mapping';
import { fetchImage, type ImageDownloader } from './ai-sdk-images';
import {
  assistantMessage,
  toFunctionTools,
  toPrompt,
  toToolChoice,
  type UnsupportedContentPolicy,
} from './ai-sdk-message-mapping';
import { withRetries } from './ai-sdk-retry';
import { AiSdkStreamAccumulator } from './ai-sdk-stream-accumulator';

/** What resolves a call's `model` option: any AI SDK provider (`google`, `createMistral(…)`, …). */
export interface LanguageModelResolver {
  languageModel(modelId: string): LanguageModelV4;
}

/** Settings of `AiSdkLlmAdapter`. */
export interface AiSdkLlmAdapterOptions {
  /**
   * The provider of the model, to honour a call's `model` option (`llmBehavior({ model })`):
   * the call then goes to `provider.languageModel(model)`. Without it, a call's `model` other
   * than this model's id is not sent and is listed in the reply's `metadata.droppedOptions`.
   */
  provider?: LanguageModelResolver;
  /**
   * Retries of a failure the provider marks retryable (`APICallError.isRetryable`: 408, 409,
   * 429, 5xx, connection failures), with exponential backoff or the server's `retry-after`.
   * The spec leaves retries to its caller; default 2, as the AI SDK's `generateText`.
   */
  maxRetries?: number;
  /** Wait before the first retry in milliseconds, doubled for each further one. Default 2000. */
  retryDelayMs?: number;
  /** Provider-specific options sent with every call, keyed by provider (`{ google: { … } }`). */
  providerOptions?: SharedV4ProviderOptions;
  /** HTTP headers sent with every call (for HTTP-based providers). */
  headers?: Record<string, string>;
  /**
   * A reply part that a Pantheon `Message` cannot hold (a generated file, a provider-executed
   * tool call, …): `'reject'` (default) fails the call with `LlmError` `LLM_UNSUPPORTED_CONTENT`;
   * `'metadata'` keeps the parts in `metadata.unsupportedContent`.
   */
  unsupportedContent?: UnsupportedContentPolicy;
  /**
   * Fetches an http(s) image URL that the model does not take as a URL (its `supportedUrls`), so
   * that it is sent as bytes, as `generateText` does. Default: the global `fetch`. `false` sends
   * every URL as it is.
   */
  downloadImages?: ImageDownloader | false;
}

const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_RETRY_DELAY_MS = 2000;

/** True for a language model of the AI SDK's spec version 4. */
export function isLanguageModelV4(value: unknown): value is LanguageModelV4 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const model = value as Record<string, unknown>;
  return (
    model.specificationVersion === 'v4' &&
    typeof model.doGenerate === 'function' &&
    typeof model.doStream === 'function'
  );
}

/** What was passed instead of a model, for the error message. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') {
    return `the string "${value.slice(0, 80)}" (a model id: pass the provider's model instead, e.g. mistral("${value.slice(0, 80)}"))`;
  }
  if (typeof value !== 'object' && typeof value !== 'function')
    return `${typeof value} ${String(value)}`;
  const model = value as Record<string, unknown>;
  const named = [
    typeof model.provider === 'string' ? `provider "${model.provider}"` : undefined,
    typeof model.modelId === 'string' ? `modelId "${model.modelId}"` : undefined,
  ].filter(Boolean);
  const of = named.length > 0 ? ` (${named.join(', ')})` : '';
  if (typeof model.languageModel === 'function' && typeof model.doGenerate !== 'function') {
    return `a provider, not a model${of}: call it with a model id, e.g. provider("model-id")`;
  }
  if (model.specificationVersion === undefined) {
    return `${typeof value === 'function' ? 'a function' : 'an object'} without specificationVersion${of}`;
  }
  if (model.specificationVersion === 'v4') {
    return `a "v4" model without doGenerate and doStream methods${of}`;
  }
  return `a model of specificationVersion "${String(model.specificationVersion)}"${of}; install a provider package built on @ai-sdk/provider 4.x`;
}

function checkModel(value: unknown, where: string): LanguageModelV4 {
  if (isLanguageModelV4(value)) return value;
  throw new ConfigError(
    `${where} needs an AI SDK LanguageModelV4 (specificationVersion "v4"), got ${describeValue(value)}`,
    {
      specificationVersion: isJsonObject(value) ? value.specificationVersion : undefined,
      received: typeof value,
    },
  );
}

function configError(message: string, option: string, value: unknown): ConfigError {
  return new ConfigError(`AiSdkLlmAdapter: ${message}`, { option, value });
}

function checkOptions(options: AiSdkLlmAdapterOptions): void {
  if (!isJsonObject(options as unknown)) {
    throw configError('options must be an object', 'options', options);
  }
  const { maxRetries, retryDelayMs, provider, unsupportedContent, downloadImages } = options;
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw configError('maxRetries must be a non-negative integer', 'maxRetries', maxRetries);
  }
  if (retryDelayMs !== undefined && !(Number.isFinite(retryDelayMs) && retryDelayMs >= 0)) {
    throw configError('retryDelayMs must be a non-negative number', 'retryDelayMs', retryDelayMs);
  }
  if (provider !== undefined && typeof provider?.languageModel !== 'function') {
    throw configError(
      'provider must have a languageModel(modelId) method',
      'provider',
      typeof provider,
    );
  }
  if (unsupportedContent !== undefined && !['reject', 'metadata'].includes(unsupportedContent)) {
    throw configError(
      `unsupportedContent must be 'reject' or 'metadata', got "${String(unsupportedContent)}"`,
      'unsupportedContent',
      unsupportedContent,
    );
  }
  if (
    downloadImages !== undefined &&
    downloadImages !== false &&
    typeof downloadImages !== 'function'
  ) {
    throw configError(
      'downloadImages must be a function or false',
      'downloadImages',
      typeof downloadImages,
    );
  }
}

/** Resolves when `promise` settles; rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function partsOf(
  reader: ReadableStreamDefaultReader<LanguageModelV4StreamPart>,
): AsyncIterable<LanguageModelV4StreamPart> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => reader.read() as Promise<IteratorResult<LanguageModelV4StreamPart>>,
    }),
  };
}

interface PreparedCall {
  model: LanguageModelV4;
  callOptions: LanguageModelV4CallOptions;
  droppedOptions: string[];
}

/**
 * `LlmPort` on any language model of the AI SDK's provider spec (`LanguageModelV4` of
 * `@ai-sdk/provider` 4.x): Gemini, Mistral, Bedrock, Azure, Groq, Ollama and every other
 * `@ai-sdk/*` or community provider, with no code of its own per provider. It calls the
 * model's `doGenerate` / `doStream` directly; the `ai` package is not needed.
 *
 * Messages, images, tools (zod or JSON Schema parameters), tool choice, `temperature`,
 * `maxTokens` and `signal` are mapped to the spec's call options; the reply's text, tool calls,
 * usage (`metadata.usage`) and finish reason (`metadata.finishReason`) come back. Every failure
 * is an `LlmError` (`LLM_AUTH`, `LLM_RATE_LIMIT`, `LLM_BAD_REQUEST`, `LLM_TIMEOUT`,
 * `LLM_CONNECTION`, `LLM_SERVER`, `LLM_INVALID_RESPONSE`, `LLM_ABORTED`,
 * `LLM_UNSUPPORTED_CONTENT`, `LLM_ERROR`) whose `provider` is the model's (`'mistral.chat'`), or
 * a `ConfigError` naming the environment variable when the provider's API key or a setting is
 * missing.
 *
 * @example
 * import { mistral } from '@ai-sdk/mistral';
 * const llm = new AiSdkLlmAdapter(mistral('mistral-small-latest')); // reads MISTRAL_API_KEY
 * const reply = await llm.complete([
 *   { role: 'system', content: 'You are terse.' },
 *   { role: 'user', content: 'Name a prime number.' },
 * ]);
 * console.log(reply.content, reply.metadata?.usage);
 *
 * // Any model of the provider per call (llmBehavior({ model: 'mistral-large-latest' })):
 * const anyMistral = new AiSdkLlmAdapter(mistral('mistral-small-latest'), { provider: mistral });
 */
export class AiSdkLlmAdapter implements LlmPort {
  /** The model a call goes to when it names no other. */
  readonly model: LanguageModelV4;
  private readonly provider: LanguageModelResolver | undefined;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private readonly providerOptions: SharedV4ProviderOptions | undefined;
  private readonly headers: Record<string, string> | undefined;
  private readonly unsupportedContent: UnsupportedContentPolicy;
  private readonly downloadImages: ImageDownloader | false;
  private readonly models = new Map<string, LanguageModelV4>();

  /**
   * @throws ConfigError when `model` is not a `LanguageModelV4` (a model id string, a provider
   * instead of one of its models, a model of an older spec version), or an option is invalid.
   */
  constructor(model: LanguageModelV4, options: AiSdkLlmAdapterOptions = {}) {
    this.model = checkModel(model, 'AiSdkLlmAdapter');
    checkOptions(options);
    this.provider = options.provider;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.providerOptions = options.providerOptions;
    this.headers = options.headers;
    this.unsupportedContent = options.unsupportedContent ?? 'reject';
    this.downloadImages = options.downloadImages ?? fetchImage;
  }

  /** One assistant reply; tool calls in `toolCalls`, token counts in `metadata.usage`. */
  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    const { signal } = options;
    let provider = this.model.provider;
    try {
      if (signal?.aborted) throw llmAbortError(signal, provider);
      const output = outputOf(options, provider);
      const { model, callOptions, droppedOptions } = await this.prepare(messages, options, output);
      provider = model.provider;
      const result = await untilAborted(
        withRetries(() => model.doGenerate(callOptions), this.retrySettings(signal)),
        signal,
      );
      const reply = assistantMessage(
        result.content,
        {
          provider,
          modelId: model.modelId,
          responseId: result.response?.id,
          responseModelId: result.response?.modelId,
          finishReason: result.finishReason,
          usage: result.usage,
          warnings: result.warnings,
          providerMetadata: result.providerMetadata,
          droppedOptions,
        },
        this.unsupportedContent,
      );
      return output ? output.parse(reply) : reply;
    } catch (error) {
      throw toAiSdkLlmError(error, { provider, signal });
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
    let provider = this.model.provider;
    let reader: ReadableStreamDefaultReader<LanguageModelV4StreamPart>;
    let accumulator: AiSdkStreamAccumulator;
    try {
      if (signal?.aborted) throw llmAbortError(signal, provider);
      const output = outputOf(options, provider);
      const { model, callOptions, droppedOptions } = await this.prepare(messages, options, output);
      provider = model.provider;
      const result = await untilAborted(
        withRetries(() => model.doStream(callOptions), this.retrySettings(signal)),
        signal,
      );
      reader = result.stream.getReader();
      accumulator = new AiSdkStreamAccumulator({
        provider,
        signal,
        modelId: model.modelId,
        policy: this.unsupportedContent,
        droppedOptions,
        output,
      });
    } catch (error) {
      throw toAiSdkLlmError(error, { provider, signal });
    }
    const release = () => void reader.cancel(signal?.reason).catch(() => {});
    // A model that ignores `abortSignal` would leave the read hanging; cancelling ends it.
    signal?.addEventListener('abort', release, { once: true });
    try {
      yield* pumpLlmStream(partsOf(reader), accumulator, {
        signal,
        toError: (error) => toAiSdkLlmError(error, { provider, signal }),
        abort: release,
      });
    } finally {
      signal?.removeEventListener('abort', release);
    }
  }

  private retrySettings(signal: AbortSignal | undefined) {
    return { maxRetries: this.maxRetries, initialDelayMs: this.retryDelayMs, signal };
  }

  /** The model for a call's `model` option, and the options it cannot honour. */
  private modelFor(modelId: string | undefined): { model: LanguageModelV4; dropped: string[] } {
    if (modelId === undefined || modelId === this.model.modelId) {
      return { model: this.model, dropped: [] };
    }
    if (!this.provider) return { model: this.model, dropped: ['model'] };
    let model = this.models.get(modelId);
    if (!model) {
      model = checkModel(
        this.provider.languageModel(modelId),
        `AiSdkLlmAdapter's provider.languageModel("${modelId}")`,
      );
      this.models.set(modelId, model);
    }
    return { model, dropped: [] };
  }

  private async prepare(
    messages: readonly Message[],
    options: LlmCompleteOptions,
    output: LlmOutput | undefined,
  ): Promise<PreparedCall> {
    const { model, dropped } = this.modelFor(options.model);
    const prompt = await toPrompt(messages, model.provider, {
      model,
      download: this.downloadImages,
      signal: options.signal,
    });
    const callOptions: LanguageModelV4CallOptions = { prompt };
    if (options.temperature !== undefined) callOptions.temperature = options.temperature;
    if (options.maxTokens !== undefined) callOptions.maxOutputTokens = options.maxTokens;
    if (options.tools?.length) {
      callOptions.tools = toFunctionTools(options.tools);
      if (options.toolChoice !== undefined)
        callOptions.toolChoice = toToolChoice(options.toolChoice);
    }
    if (options.signal) callOptions.abortSignal = options.signal;
    if (this.headers) callOptions.headers = { ...this.headers };
    if (this.providerOptions) callOptions.providerOptions = this.providerOptions;
    if (output) {
      // The spec's JSON response format: providers with native structured output use it; the
      // reply is validated here either way.
      callOptions.responseFormat = {
        type: 'json',
        schema: output.jsonSchema as JSONSchema7,
        name: output.name,
        ...(output.description === undefined ? {} : { description: output.description }),
      };
    }
    return { model, callOptions, droppedOptions: dropped };
  }
}

function outputOf(options: LlmCompleteOptions, provider: string): LlmOutput | undefined {
  return options.output === undefined ? undefined : llmOutput(options.output, provider);
}
