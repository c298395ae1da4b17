/**
 * The codes an `LlmError` carries. Adapters map every provider failure onto one of them, so callers
 * can branch on `code` whatever the provider.
 */
export type LlmErrorCode =
  /** The key is missing, wrong or lacks permission (HTTP 401/403). Not retryable. */
  | 'LLM_AUTH'
  /** The provider throttled the request (HTTP 429). Retryable. */
  | 'LLM_RATE_LIMIT'
  /** The provider rejected the request as invalid (HTTP 400/404/422 and other 4xx). */
  | 'LLM_BAD_REQUEST'
  /** No answer in time (the client's timeout or HTTP 408). Retryable. */
  | 'LLM_TIMEOUT'
  /** The provider could not be reached. Retryable. */
  | 'LLM_CONNECTION'
  /** The provider failed (HTTP 5xx, or an error event in a stream). Retryable. */
  | 'LLM_SERVER'
  /** The reply could not be understood (not JSON, wrong shape, tool arguments that are no JSON object). */
  | 'LLM_INVALID_RESPONSE'
  /** The reply to a call with `output` is not JSON or does not match the schema. Not retryable. */
  | 'LLM_OUTPUT_INVALID'
  /** The caller's `AbortSignal` cancelled the call. Not retryable. */
  | 'LLM_ABORTED'
  /** A circuit breaker is open after repeated failures; the model was not called. Not retryable. */
  | 'LLM_CIRCUIT_OPEN'
  /** A concurrency limit and its queue are full. Retryable. */
  | 'LLM_BULKHEAD_FULL';

/**
 * The `LlmError` code for an HTTP error status of a model provider: 401/403 `LLM_AUTH`,
 * 429 `LLM_RATE_LIMIT`, 408 `LLM_TIMEOUT`, 5xx `LLM_SERVER`, any other status `LLM_BAD_REQUEST`.
 * Whether to retry is a separate question, answered by `isRetryableStatus`.
 */
export function llmErrorCodeForStatus(status: number): LlmErrorCode {
  if (status === 401 || status === 403) return 'LLM_AUTH';
  if (status === 429) return 'LLM_RATE_LIMIT';
  if (status === 408) return 'LLM_TIMEOUT';
  if (status >= 500) return 'LLM_SERVER';
  return 'LLM_BAD_REQUEST';
}

/** Statuses worth retrying: request timeout, conflict, rate limit and server errors. */
export function isRetryableStatus(status: number | undefined): boolean {
  return (
    status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500)
  );
}

/**
 * Whether a failure with `code` (and `status`, when there was one) may succeed when tried again.
 * Codes other than the `LlmErrorCode`s are not retryable without a status.
 */
export function isRetryableLlmError(code: string, status?: number): boolean {
  if (status !== undefined) return isRetryableStatus(status);
  return (
    code === 'LLM_RATE_LIMIT' ||
    code === 'LLM_TIMEOUT' ||
    code === 'LLM_CONNECTION' ||
    code === 'LLM_SERVER' ||
    code === 'LLM_BULKHEAD_FULL'
  );
}
