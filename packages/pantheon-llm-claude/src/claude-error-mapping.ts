import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { PantheonError } from '@promethean-os/pantheon-core';
import {
  type LlmErrorCode,
  type ProviderSdk,
  sdkErrorToLlmError,
} from '@promethean-os/pantheon-core/adapter-kit';

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

const anthropicSdk: ProviderSdk<APIError> = {
  provider: 'anthropic',
  displayName: 'Anthropic',
  APIUserAbortError,
  APIConnectionTimeoutError,
  APIConnectionError,
  APIError,
  details: (error) => ({ providerCode: error.errorCode ?? undefined }),
  streamErrorCode: (error) => streamErrorCodes[error.type ?? ''] ?? 'LLM_SERVER',
};

/**
 * Any failure of a call through `@anthropic-ai/sdk` as an `LlmError` (Pantheon errors pass
 * through). An abort of the caller's `signal` is `LLM_ABORTED` whatever the SDK reports for it.
 */
export function toClaudeLlmError(error: unknown, signal?: AbortSignal): PantheonError {
  return sdkErrorToLlmError(anthropicSdk, error, signal);
}
