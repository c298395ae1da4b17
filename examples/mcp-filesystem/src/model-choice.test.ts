import { ConfigError } from '@promethean-os/pantheon-core';
import { ClaudeAdapter } from '@promethean-os/pantheon-llm-claude';
import { OpenAiAdapter } from '@promethean-os/pantheon-llm-openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chooseModel } from './model-choice';
import { ScriptedFolderModel } from './scripted-folder-model';

// The adapters fall back to process.env for what `env` leaves out; clear it so only `env` counts.
beforeEach(() => {
  for (const name of [
    'OPENAI_API_KEY',
    'OPENAI_BASE_URL',
    'OPENAI_ORG_ID',
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_BASE_URL',
  ]) {
    vi.stubEnv(name, '');
  }
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function refusal(env: Record<string, string>): Promise<ConfigError> {
  const error = await chooseModel(env).catch((caught: unknown) => caught);
  expect(ConfigError.isInstance(error)).toBe(true);
  return error as ConfigError;
}

describe('chooseModel', () => {
  it('runs the scripted stand-in unless PANTHEON_LLM_PROVIDER names a model (a key alone does not), and says so', async () => {
    const choice = await chooseModel({ OPENAI_API_KEY: 'sk-test' });
    expect(choice.llm).toBeInstanceOf(ScriptedFolderModel);
    expect(choice.description).toContain('SCRIPTED STAND-IN, not a language model');
  });

  it('uses OpenAI for PANTHEON_LLM_PROVIDER=openai, or an OpenAI-compatible server of one’s own', async () => {
    const openai = await chooseModel({
      PANTHEON_LLM_PROVIDER: 'openai',
      PANTHEON_LLM_MODEL: 'gpt-5.4',
      OPENAI_API_KEY: 'sk-test',
    });
    expect(openai.llm).toBeInstanceOf(OpenAiAdapter);
    expect((openai.llm as OpenAiAdapter).model).toBe('gpt-5.4');
    const local = await chooseModel({
      PANTHEON_LLM_PROVIDER: 'openai',
      PANTHEON_LLM_BASE_URL: 'http://localhost:11434/v1',
    });
    expect((local.llm as OpenAiAdapter).client.baseURL).toBe('http://localhost:11434/v1');
    expect(local.description).toMatch(/^OpenAI model .* at http:\/\/localhost:11434\/v1$/);
  });

  it('uses Claude for PANTHEON_LLM_PROVIDER=claude with ANTHROPIC_API_KEY', async () => {
    const choice = await chooseModel({
      PANTHEON_LLM_PROVIDER: 'claude',
      PANTHEON_LLM_MODEL: 'claude-x',
      ANTHROPIC_API_KEY: 'sk-ant-test',
    });
    expect(choice.llm).toBeInstanceOf(ClaudeAdapter);
    expect((choice.llm as ClaudeAdapter).model).toBe('claude-x');
  });

  it('rejects an unknown provider with CONFIG_INVALID, and a provider without its key with CONFIG_ERROR', async () => {
    const unknown = await refusal({ PANTHEON_LLM_PROVIDER: 'gemini' });
    expect(unknown.code).toBe('CONFIG_INVALID');
    expect(unknown.details?.issues).toEqual([
      expect.objectContaining({
        field: 'adapters.llm.type',
        source: { kind: 'environment', variable: 'PANTHEON_LLM_PROVIDER' },
      }),
    ]);
    const keyless = await refusal({ PANTHEON_LLM_PROVIDER: 'claude' });
    expect(keyless).toMatchObject({
      code: 'CONFIG_ERROR',
      details: { variable: 'ANTHROPIC_API_KEY' },
    });
  });
});
