import { describe, expect, it } from 'vitest';
import { ConfigError, LlmError } from './errors';
import { llmAbortError, type ProviderSdk, sdkErrorToLlmError } from './llm-sdk-errors';

// The error classes of a Stainless-generated SDK, in their real hierarchy: aborts and connection
// failures are API errors without a status, and a timeout is a connection failure.
class APIError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly requestID?: string | null,
    readonly type?: string | null,
    readonly code?: string | null,
  ) {
    super(message);
  }
}
class APIUserAbortError extends APIError {
  constructor() {
    super(undefined, 'Request was aborted.');
  }
}
class APIConnectionError extends APIError {
  constructor(message = 'Connection error.') {
    super(undefined, message);
  }
}
class APIConnectionTimeoutError extends APIConnectionError {
  constructor() {
    super('Request timed out.');
  }
}

const sdk: ProviderSdk<APIError> = {
  provider: 'acme',
  displayName: 'Acme',
  APIUserAbortError,
  APIConnectionTimeoutError,
  APIConnectionError,
  APIError,
  details: (error) => ({ providerCode: error.code ?? undefined }),
};

describe('sdkErrorToLlmError', () => {
  it('passes Pantheon errors through', () => {
    const error = new ConfigError('no key');
    expect(sdkErrorToLlmError(sdk, error)).toBe(error);
  });

  it('maps an aborted signal to LLM_ABORTED, whatever the SDK reports', () => {
    const controller = new AbortController();
    controller.abort();
    const error = sdkErrorToLlmError(sdk, new APIError(500, 'boom'), controller.signal);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({
      code: 'LLM_ABORTED',
      retryable: false,
      provider: 'acme',
      message: 'The Acme request was aborted by the caller',
    });
    expect(sdkErrorToLlmError(sdk, new APIUserAbortError())).toMatchObject({
      code: 'LLM_ABORTED',
    });
  });

  it('maps a timeout before other connection failures', () => {
    expect(sdkErrorToLlmError(sdk, new APIConnectionTimeoutError())).toMatchObject({
      code: 'LLM_TIMEOUT',
      retryable: true,
      message: 'The Acme request timed out: Request timed out.',
    });
    expect(sdkErrorToLlmError(sdk, new APIConnectionError('ECONNREFUSED'))).toMatchObject({
      code: 'LLM_CONNECTION',
      retryable: true,
      message: 'Could not reach Acme: ECONNREFUSED',
    });
  });

  it('maps an HTTP error by its status, with the request id, type and SDK details', () => {
    const cause = new APIError(429, 'slow down', 'req_1', 'rate_limit_error', 'rpm');
    const error = sdkErrorToLlmError(sdk, cause);
    expect(error).toMatchObject({
      name: 'LlmError',
      code: 'LLM_RATE_LIMIT',
      status: 429,
      retryable: true,
      provider: 'acme',
      message: 'Acme request failed: slow down',
      details: { requestId: 'req_1', type: 'rate_limit_error', providerCode: 'rpm' },
    });
    expect(error.cause).toBe(cause);
    expect(sdkErrorToLlmError(sdk, new APIError(401, 'bad key', null, null))).toMatchObject({
      code: 'LLM_AUTH',
      retryable: false,
      details: { requestId: undefined, type: undefined },
    });
  });

  it('maps an API error without a status (an error event in a stream) to LLM_SERVER by default', () => {
    expect(sdkErrorToLlmError(sdk, new APIError(undefined, 'overloaded', null, 'x'))).toMatchObject(
      {
        code: 'LLM_SERVER',
        status: undefined,
        retryable: true,
        message: 'Acme reported an error: overloaded',
      },
    );
    const withCodes: ProviderSdk<APIError> = {
      ...sdk,
      streamErrorCode: (error) =>
        error.type === 'rate_limit_error' ? 'LLM_RATE_LIMIT' : 'LLM_SERVER',
    };
    expect(
      sdkErrorToLlmError(withCodes, new APIError(undefined, 'slow', null, 'rate_limit_error')),
    ).toMatchObject({ code: 'LLM_RATE_LIMIT', retryable: true });
  });

  it('maps anything else to LLM_INVALID_RESPONSE', () => {
    expect(sdkErrorToLlmError(sdk, new SyntaxError('Unexpected end of JSON input'))).toMatchObject({
      code: 'LLM_INVALID_RESPONSE',
      retryable: false,
      message: 'Acme sent a reply that could not be read: Unexpected end of JSON input',
    });
    expect(sdkErrorToLlmError(sdk, 'odd')).toMatchObject({ code: 'LLM_INVALID_RESPONSE' });
  });
});

describe('llmAbortError', () => {
  it('is a non-retryable LlmError LLM_ABORTED with the abort reason as cause', () => {
    const controller = new AbortController();
    const reason = new Error('user left');
    controller.abort(reason);
    const error = llmAbortError(controller.signal, 'acme');
    expect(LlmError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'LLM_ABORTED', provider: 'acme', retryable: false });
    expect(error.cause).toBe(reason);
  });
});
