import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './errors';
import { llmConnection } from './llm-connection';

const variables = { apiKey: 'TEST_LLM_API_KEY', baseURL: 'TEST_LLM_BASE_URL' };

describe('llmConnection', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('prefers the options to the environment', () => {
    vi.stubEnv(variables.apiKey, 'from-env');
    vi.stubEnv(variables.baseURL, 'http://env.test');
    expect(
      llmConnection('TestAdapter', { apiKey: 'given', baseURL: 'http://given.test' }, variables),
    ).toEqual({ apiKey: 'given', baseURL: 'http://given.test' });
  });

  it('falls back to the environment variables', () => {
    vi.stubEnv(variables.apiKey, 'from-env');
    vi.stubEnv(variables.baseURL, 'http://env.test');
    expect(llmConnection('TestAdapter', {}, variables)).toEqual({
      apiKey: 'from-env',
      baseURL: 'http://env.test',
    });
  });

  it('leaves the base URL undefined when neither gives one', () => {
    vi.stubEnv(variables.baseURL, '');
    expect(llmConnection('TestAdapter', { apiKey: 'given' }, variables).baseURL).toBeUndefined();
  });

  it('without a key (an empty variable counts as none) throws a ConfigError naming the variable', () => {
    vi.stubEnv(variables.apiKey, '');
    let thrown: unknown;
    try {
      llmConnection('TestAdapter', {}, variables);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({
      code: 'CONFIG_ERROR',
      message:
        'TestAdapter needs an API key: pass { apiKey } or set the TEST_LLM_API_KEY environment variable',
      details: { variable: 'TEST_LLM_API_KEY' },
    });
  });
});
