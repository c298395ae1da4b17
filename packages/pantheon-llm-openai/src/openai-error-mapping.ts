import type { PantheonError } from '@promethean-os/pantheon-core';
import { type ProviderSdk, sdkErrorToLlmError } from '@promethean-os/pantheon-core/adapter-kit';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

const openAiSdk: ProviderSdk<APIError> = {
  provider: 'openai',
  displayName: 'OpenAI',
  APIUserAbortError,
  APIConnectionTimeoutError,
  APIConnectionError,
  APIError,
  details: (error) => ({ providerCode: error.code ?? undefined, param: error.param ?? undefined }),
};

/**
 * Any failure of a call through the `openai` SDK as an `LlmError` (Pantheon errors pass through).
 * An abort of the caller's `signal` is `LLM_ABORTED` whatever the SDK reports for it.
 */
export function toOpenAiLlmError(error: unknown, signal?: AbortSignal): PantheonError {
  return sdkErrorToLlmError(openAiSdk, error, signal);
}
