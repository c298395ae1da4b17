import {
  isRetryableLlmError,
  LlmError,
  type LlmErrorCode,
  llmErrorCodeForStatus,
  PantheonError,
} from '@promethean-os/pantheon-core';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

const provider = 'openai';

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
 * Any failure of a call through the `openai` SDK as an `LlmError` (Pantheon errors pass through).
 * An abort of the caller's `signal` is `LLM_ABORTED` whatever the SDK reports for it.
 */
export function toOpenAiLlmError(error: unknown, signal?: AbortSignal): PantheonError {
  if (PantheonError.isInstance(error)) return error;
  if (signal?.aborted || error instanceof APIUserAbortError) {
    return llmError('The OpenAI request was aborted by the caller', 'LLM_ABORTED', error);
  }
  if (error instanceof APIConnectionTimeoutError) {
    return llmError(`The OpenAI request timed out: ${error.message}`, 'LLM_TIMEOUT', error);
  }
  if (error instanceof APIConnectionError) {
    return llmError(`Could not reach OpenAI: ${error.message}`, 'LLM_CONNECTION', error);
  }
  if (error instanceof APIError) {
    const details = {
      requestId: error.requestID ?? undefined,
      type: error.type,
      providerCode: error.code ?? undefined,
      param: error.param ?? undefined,
    };
    if (error.status === undefined) {
      // An error event inside a stream that had already started with HTTP 200.
      return llmError(`OpenAI reported an error: ${error.message}`, 'LLM_SERVER', error, details);
    }
    return llmError(
      `OpenAI request failed: ${error.message}`,
      llmErrorCodeForStatus(error.status),
      error,
      details,
      error.status,
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return llmError(
    `OpenAI sent a reply that could not be read: ${reason}`,
    'LLM_INVALID_RESPONSE',
    error,
  );
}
