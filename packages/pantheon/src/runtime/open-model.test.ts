import { ConfigError } from '@promethean-os/pantheon-core';
import { ClaudeAdapter } from '@promethean-os/pantheon-llm-claude';
import { OpenAiAdapter } from '@promethean-os/pantheon-llm-openai';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { OfflineEchoModel } from './offline-model';
import { openModel } from './open-model';

async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(ConfigError.isInstance(error)).toBe(true);
  return error as ConfigError;
}

describe('openModel', () => {
  it('is the labelled offline stand-in on the defaults, or the one it is given', async () => {
    const echo = await openModel({}, { env: {} });
    expect(echo.llm).toBeInstanceOf(OfflineEchoModel);
    expect(echo.description).toBe(
      '[offline mock model]: echoes the last user message, no model is called',
    );
    const scripted = {
      complete: async () => ({ role: 'assistant' as const, content: 'scripted' }),
    };
    const given = await openModel({}, { env: {}, offlineModel: scripted });
    expect(given.llm).toBe(scripted);
    expect(given.description).toBe("the app's offline model (no model is called)");
  });

  it('opens the model PANTHEON_* variables choose, its key from the environment', async () => {
    const config = await loadConfig({
      cwd: '/nonexistent',
      env: { PANTHEON_LLM_PROVIDER: 'claude', PANTHEON_LLM_MODEL: 'claude-x' },
    });
    const claude = await openModel(config, { env: { ANTHROPIC_API_KEY: 'sk-ant-test' } });
    expect(claude.llm).toBeInstanceOf(ClaudeAdapter);
    expect((claude.llm as ClaudeAdapter).client.apiKey).toBe('sk-ant-test');
    expect(claude.description).toMatch(/^Claude model claude-x at https:\/\//);

    const openai = await openModel(
      {
        adapters: { llm: { type: 'openai', model: 'gpt-test', baseURL: 'http://127.0.0.1:1/v1' } },
      },
      { env: { OPENAI_API_KEY: 'sk-test' } },
    );
    expect(openai.llm).toBeInstanceOf(OpenAiAdapter);
    expect((openai.llm as OpenAiAdapter).client.apiKey).toBe('sk-test');
    expect(openai.description).toBe('OpenAI model gpt-test at http://127.0.0.1:1/v1');
  });

  it('names the missing key of the chosen model, and every invalid field', async () => {
    const missing = await refusal(
      openModel({ adapters: { llm: { type: 'claude' } } }, { env: { OPENAI_API_KEY: 'sk-test' } }),
    );
    expect(missing).toMatchObject({
      code: 'CONFIG_ERROR',
      details: { field: 'adapters.llm.type', variable: 'ANTHROPIC_API_KEY' },
    });
    const invalid = await refusal(
      openModel({ adapters: { llm: { type: 'gemini' } } } as never, { env: {} }),
    );
    expect(invalid).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(invalid.details?.issues).toEqual([
      expect.objectContaining({ field: 'adapters.llm.type', source: { kind: 'argument' } }),
    ]);
  });
});
