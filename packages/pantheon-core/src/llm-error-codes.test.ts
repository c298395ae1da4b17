import { describe, expect, it } from 'vitest';
import { isRetryableLlmError, llmErrorCodeForStatus } from './llm-error-codes';

describe('llmErrorCodeForStatus', () => {
  it.each([
    [401, 'LLM_AUTH'],
    [403, 'LLM_AUTH'],
    [429, 'LLM_RATE_LIMIT'],
    [408, 'LLM_TIMEOUT'],
    [400, 'LLM_BAD_REQUEST'],
    [404, 'LLM_BAD_REQUEST'],
    [422, 'LLM_BAD_REQUEST'],
    [500, 'LLM_SERVER'],
    [503, 'LLM_SERVER'],
    [529, 'LLM_SERVER'],
  ])('maps HTTP %i to %s', (status, code) => {
    expect(llmErrorCodeForStatus(status)).toBe(code);
  });
});

describe('isRetryableLlmError', () => {
  it('follows the status when there is one', () => {
    expect(isRetryableLlmError('LLM_RATE_LIMIT', 429)).toBe(true);
    expect(isRetryableLlmError('LLM_SERVER', 502)).toBe(true);
    expect(isRetryableLlmError('LLM_AUTH', 401)).toBe(false);
    expect(isRetryableLlmError('LLM_BAD_REQUEST', 400)).toBe(false);
  });

  it('follows the code without a status', () => {
    expect(isRetryableLlmError('LLM_TIMEOUT')).toBe(true);
    expect(isRetryableLlmError('LLM_CONNECTION')).toBe(true);
    expect(isRetryableLlmError('LLM_ABORTED')).toBe(false);
    expect(isRetryableLlmError('LLM_INVALID_RESPONSE')).toBe(false);
  });
});
