import { resolve } from 'node:path';
import { ConfigError } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { loadDataAnalystConfig, SAMPLE_CSV } from './pantheon.config';

/** The `ConfigError` `loadDataAnalystConfig(env)` throws. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadDataAnalystConfig(env);
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return error as ConfigError;
  }
  throw new Error(`loadDataAnalystConfig accepted ${JSON.stringify(env)}`);
}

describe('loadDataAnalystConfig', () => {
  it('runs offline on the bundled CSV when the environment names nothing', () => {
    expect(loadDataAnalystConfig({})).toEqual({
      csvFile: SAMPLE_CSV,
      llm: { provider: 'scripted' },
      askTimeoutMs: 120_000,
    });
    // Empty variables count as unset.
    expect(loadDataAnalystConfig({ OPENAI_API_KEY: ' ', DATA_ANALYST_CSV: '' })).toEqual(
      loadDataAnalystConfig({}),
    );
  });

  it('takes the CSV from DATA_ANALYST_CSV, relative to the working directory', () => {
    expect(loadDataAnalystConfig({ DATA_ANALYST_CSV: 'data/mine.csv' }).csvFile).toBe(
      resolve('data/mine.csv'),
    );
  });

  it('picks OpenAI for OPENAI_API_KEY, with OPENAI_MODEL and OPENAI_BASE_URL', () => {
    expect(
      loadDataAnalystConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'gpt-5.4' }).llm,
    ).toEqual({ provider: 'openai', apiKey: 'sk-test', model: 'gpt-5.4', baseURL: undefined });
    // A local OpenAI-compatible server needs no real key.
    expect(
      loadDataAnalystConfig({ OPENAI_BASE_URL: 'http://localhost:11434/v1' }).llm,
    ).toMatchObject({
      provider: 'openai',
      baseURL: 'http://localhost:11434/v1',
      apiKey: 'local-server',
    });
  });

  it('picks Claude for ANTHROPIC_API_KEY; OpenAI wins when both keys are set', () => {
    const anthropic = { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_MODEL: 'claude-x' };
    expect(loadDataAnalystConfig(anthropic).llm).toEqual({
      provider: 'anthropic',
      apiKey: 'sk-ant-test',
      model: 'claude-x',
      baseURL: undefined,
    });
    const both = { ...anthropic, OPENAI_API_KEY: 'sk-test' };
    expect(loadDataAnalystConfig(both).llm.provider).toBe('openai');
    expect(
      loadDataAnalystConfig({ ...both, DATA_ANALYST_PROVIDER: 'anthropic' }).llm.provider,
    ).toBe('anthropic');
    expect(loadDataAnalystConfig({ ...both, DATA_ANALYST_PROVIDER: 'scripted' }).llm.provider).toBe(
      'scripted',
    );
  });

  it('rejects an unknown provider, naming the variable and the choices', () => {
    const error = configError({ DATA_ANALYST_PROVIDER: 'gemini' });
    expect(error).toMatchObject({
      code: 'CONFIG_ERROR',
      message: 'DATA_ANALYST_PROVIDER must be one of openai, anthropic, scripted; got "gemini"',
      details: { variable: 'DATA_ANALYST_PROVIDER', value: 'gemini' },
    });
  });

  it.each([
    ['openai', 'OPENAI_API_KEY'],
    ['anthropic', 'ANTHROPIC_API_KEY'],
  ])('rejects the %s provider without %s, naming the key', (provider, variable) => {
    const error = configError({ DATA_ANALYST_PROVIDER: provider });
    expect(error).toMatchObject({ code: 'CONFIG_ERROR', details: { variable } });
    expect(error.message).toBe(
      `The ${provider} model needs ${variable}; set it, or unset DATA_ANALYST_PROVIDER to run offline`,
    );
  });
});
