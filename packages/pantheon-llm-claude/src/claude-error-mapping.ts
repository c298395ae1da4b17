import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import {
  isRetryableLlmError,
  LlmError,
  type LlmErrorCode,
  llmErrorCodeForStatus,
  PantheonError,
} from '@promethean-os/pantheon-core';

const provider = 'anthropic';

// The `error.type` of an `event: error` inside a stream, which carries no HTTP status.
const streamErrorCodes: Record<string, LlmErrorCode> = {
  overloaded_error: 'LLM_SERVER',
  api_error: 'LLM_SERVER',
  rate_limit_error: 'LLM_RATE_LIMIT',
  timeout_error: 'LLM_TIMEOUT',
  authentication_error: 'LLM_AUTH',
  permission_error: 'LLM_AUTH',
  invalid_request_error: 'LLM_BAD_REQUEST',
  not_found_error: 'LLM_BAD_REQUEST',
  request_too_large: 'LLM_BAD_REQUEST',
};

function llmError(
  message: string,
  code: LlmErrorCode,
  cause: unknown,
  details?: Record<string, unknown>,
  status?: number,
): LlmError {
  return new LlmError(message, details, {
    code,
    status,
    provider,
    retryable: isRetryableLlmError(code, status),
    cause,
  });
}

/**
 * Any failure of a call through `@anthropic-ai/sdk` as an `LlmError` (Pantheon errors pass
 * through). An abort of the caller's `signal` is `LLM_ABORTED` whatever the SDK reports for it.
 */
export function toClaudeLlmError(error: unknown, signal?: AbortSignal): PantheonError {
  if (PantheonError.isInstance(error)) return error;
  if (signal?.aborted || error instanceof APIUserAbortError) {
    return llmError('The Anthropic request was aborted by the caller', 'LLM_ABORTED', error);
  }
  if (error instanceof APIConnectionTimeoutError) {
    return llmError(`The Anthropic request timed out: ${error.message}`, 'LLM_TIMEOUT', error);
  }
  if (error instanceof APIConnectionError) {
    return llmError(`Could not reach Anthropic: ${error.message}`, 'LLM_CONNECTION', error);
  }
  if (error instanceof APIError) {
    const details = {
      requestId: error.requestID ?? undefined,
      type: error.type ?? undefined,
      providerCode: error.errorCode ?? undefined,
    };
    if (error.status === undefined) {
      const code = streamErrorCodes[error.type ?? ''] ?? 'LLM_SERVER';
      return llmError(`Anthropic reported an error: ${error.message}`, code, error, details);
    }
    return llmError(
      `Anthropic request failed: ${error.message}`,
      llmErrorCodeForStatus(error.status),
      error,
      details,
      error.status,
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return llmError(
    `Anthropic sent a reply that could not be read: ${reason}`,
    'LLM_INVALID_RESPONSE',
    error,
  );
}
