import {
  AISDKError,
  APICallError,
  EmptyResponseBodyError,
  InvalidArgumentError,
  InvalidPromptError,
  InvalidResponseDataError,
  JSONParseError,
  LoadAPIKeyError,
  LoadSettingError,
  NoSuchModelError,
  TypeValidationError,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import {
  ConfigError,
  LlmError,
  PantheonError,
  type PantheonErrorCode,
} from '@promethean-os/pantheon-core';
import {
  errorMessage,
  isJsonObject,
  type LlmErrorCode,
  llmAbortError,
  llmErrorCodeForStatus,
} from '@promethean-os/pantheon-core/adapter-kit';

/** Where a failure happened, for the `LlmError` it becomes. */
export interface FailureSource {
  /** The model's `provider`, e.g. `'mistral.chat'`; the `provider` of the `LlmError`. */
  provider: string;
  /** The caller's signal: once it has aborted, any failure is `LLM_ABORTED`. */
  signal?: AbortSignal | undefined;
}

const MAX_BODY_CHARS = 500;

function truncated(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.slice(0, MAX_BODY_CHARS);
}

function errorName(error: unknown): string | undefined {
  return isJsonObject(error) && typeof error.name === 'string' ? error.name : undefined;
}

/**
 * The environment variable a `LoadAPIKeyError` or `LoadSettingError` asks for. The spec gives
 * these errors only a message; every provider builds it with `@ai-sdk/provider-utils`
 * (`… or the MISTRAL_API_KEY environment variable.`), which is where the name is read from.
 */
export function variableOf(message: string): string | undefined {
  return /\b([A-Z][A-Z0-9_]*) environment variable\b/.exec(message)?.[1];
}

function configError(error: LoadAPIKeyError | LoadSettingError, provider: string): ConfigError {
  const variable = variableOf(error.message);
  const hint = variable === undefined ? '' : ` (set ${variable})`;
  return new ConfigError(
    `${provider} is not configured${hint}: ${error.message}`,
    { provider, ...(variable === undefined ? {} : { variable }) },
    { cause: error },
  );
}

// The `type` or `code` of an error object that a provider sends inside a stream, which carries
// no HTTP status: the words providers use, as a fallback for the status code.
const streamErrorWords: [RegExp, LlmErrorCode][] = [
  [/rate.?limit|too.?many.?requests|quota/i, 'LLM_RATE_LIMIT'],
  [/auth|permission|forbidden|api.?key/i, 'LLM_AUTH'],
  [/invalid.?request|not.?found|bad.?request|too.?large|context.?length/i, 'LLM_BAD_REQUEST'],
  [/timeout|timed.?out/i, 'LLM_TIMEOUT'],
];

function streamErrorCode(error: Record<string, unknown>): LlmErrorCode {
  const inner = isJsonObject(error.error) ? error.error : error;
  const words = [inner.type, inner.code, inner.status]
    .filter((word) => typeof word === 'string')
    .join(' ');
  if (typeof inner.code === 'number' || typeof inner.status === 'number') {
    const status = Number(typeof inner.code === 'number' ? inner.code : inner.status);
    if (status >= 400 && status < 600) return llmErrorCodeForStatus(status);
  }
  return streamErrorWords.find(([pattern]) => pattern.test(words))?.[1] ?? 'LLM_SERVER';
}

function streamErrorMessage(error: Record<string, unknown>): string {
  const inner = isJsonObject(error.error) ? error.error : error;
  if (typeof inner.message === 'string') return inner.message;
  return JSON.stringify(error)?.slice(0, MAX_BODY_CHARS) ?? String(error);
}

/**
 * Any failure of a call through an AI SDK language model as a typed Pantheon error (Pantheon
 * errors pass through):
 *
 * - an abort of the caller's `signal` (or an `AbortError`): `LLM_ABORTED`, not retryable;
 * - a `TimeoutError` (e.g. from `AbortSignal.timeout` in a provider's `fetch`): `LLM_TIMEOUT`;
 * - `LoadAPIKeyError`, `LoadSettingError` (a missing API key or setting): `ConfigError`
 *   `CONFIG_ERROR`, with the environment variable to set in the message and `details.variable`;
 * - `APICallError` with an error status: the code for the status (`llmErrorCodeForStatus`),
 *   `retryable` as the provider judged it (`isRetryable`); with a success status (a body that is
 *   not the JSON expected): `LLM_INVALID_RESPONSE`; without a status (the server could not be
 *   reached): `LLM_CONNECTION`;
 * - `InvalidPromptError`, `UnsupportedFunctionalityError`, `InvalidArgumentError`,
 *   `NoSuchModelError` (the request cannot be expressed for this model): `LLM_BAD_REQUEST`;
 * - `EmptyResponseBodyError`, `InvalidResponseDataError`, `JSONParseError`,
 *   `TypeValidationError` (the reply could not be read): `LLM_INVALID_RESPONSE`;
 * - anything else: `LLM_ERROR`, with the original as `cause`.
 */
export function toAiSdkLlmError(error: unknown, source: FailureSource): PantheonError {
  if (PantheonError.isInstance(error)) return error;
  const { provider, signal } = source;
  const llmError = (
    message: string,
    code: PantheonErrorCode,
    details?: Record<string, unknown>,
    extra: { status?: number; retryable?: boolean } = {},
  ) => new LlmError(message, details, { code, provider, cause: error, ...extra });

  if (signal?.aborted) return llmAbortError(signal, provider);
  const name = errorName(error);
  if (name === 'AbortError') {
    return llmError(`The ${provider} request was aborted`, 'LLM_ABORTED', undefined, {
      retryable: false,
    });
  }
  if (name === 'TimeoutError') {
    return llmError(`The ${provider} request timed out: ${errorMessage(error)}`, 'LLM_TIMEOUT');
  }
  if (LoadAPIKeyError.isInstance(error) || LoadSettingError.isInstance(error)) {
    return configError(error, provider);
  }
  if (APICallError.isInstance(error)) {
    const details = {
      url: error.url,
      responseBody: truncated(error.responseBody),
    };
    if (error.statusCode === undefined) {
      return llmError(`Could not reach ${provider}: ${error.message}`, 'LLM_CONNECTION', details, {
        retryable: error.isRetryable,
      });
    }
    if (error.statusCode < 400) {
      // A successful status whose body could not be read ("Invalid JSON response").
      return llmError(
        `${provider} sent a reply that could not be read: ${error.message}`,
        'LLM_INVALID_RESPONSE',
        details,
        { status: error.statusCode, retryable: false },
      );
    }
    return llmError(
      `${provider} request failed: ${error.message}`,
      llmErrorCodeForStatus(error.statusCode),
      details,
      { status: error.statusCode, retryable: error.isRetryable },
    );
  }
  if (
    InvalidPromptError.isInstance(error) ||
    UnsupportedFunctionalityError.isInstance(error) ||
    InvalidArgumentError.isInstance(error) ||
    NoSuchModelError.isInstance(error)
  ) {
    return llmError(
      `${provider} cannot take this request: ${error.message}`,
      'LLM_BAD_REQUEST',
      { aiSdkError: error.name },
      { retryable: false },
    );
  }
  if (
    EmptyResponseBodyError.isInstance(error) ||
    InvalidResponseDataError.isInstance(error) ||
    JSONParseError.isInstance(error) ||
    TypeValidationError.isInstance(error)
  ) {
    return llmError(
      `${provider} sent a reply that could not be read: ${error.message}`,
      'LLM_INVALID_RESPONSE',
      { aiSdkError: error.name },
    );
  }
  const details = AISDKError.isInstance(error) ? { aiSdkError: error.name } : undefined;
  return llmError(`${provider} call failed: ${errorMessage(error)}`, 'LLM_ERROR', details);
}

/**
 * The error of an `error` part inside a model's stream. An error object (what providers forward
 * from an `error` event, such as `{ message, type, code }`) is `LLM_SERVER` unless its `type`,
 * `code` or status names a rate limit, an auth failure, a bad request or a timeout; an Error is
 * mapped as by `toAiSdkLlmError`.
 */
export function streamPartError(error: unknown, source: FailureSource): PantheonError {
  if (error instanceof Error || PantheonError.isInstance(error) || source.signal?.aborted) {
    return toAiSdkLlmError(error, source);
  }
  const { provider } = source;
  if (isJsonObject(error)) {
    return new LlmError(
      `${provider} reported an error in the stream: ${streamErrorMessage(error)}`,
      { providerError: JSON.stringify(error)?.slice(0, MAX_BODY_CHARS) },
      { code: streamErrorCode(error), provider, cause: error },
    );
  }
  return new LlmError(
    `${provider} reported an error in the stream: ${String(error)}`,
    { providerError: String(error).slice(0, MAX_BODY_CHARS) },
    { code: 'LLM_SERVER', provider, cause: error },
  );
}
