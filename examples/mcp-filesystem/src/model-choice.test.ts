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

describe('chooseModel', () => {
  it('runs the scripted stand-in when no provider is configured, and says so', () => {
    const choice = chooseModel({});
    expect(choice.provider).toBe('scripted');
    expect(choice.llm).toBeInstanceOf(ScriptedFolderModel);
    expect(choice.description).toContain('SCRIPTED STAND-IN, not a language model');
  });

  it('uses OpenAI with OPENAI_API_KEY, or an OpenAI-compatible server with OPENAI_BASE_URL', () => {
    const openai = chooseModel({ OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'gpt-5.4' });
    expect(openai.llm).toBeInstanceOf(OpenAiAdapter);
    expect((openai.llm as OpenAiAdapter).model).toBe('gpt-5.4');
    const local = chooseModel({ OPENAI_BASE_URL: 'http://localhost:11434/v1' });
    expect(local.provider).toBe('openai');
    expect((local.llm as OpenAiAdapter).client.baseURL).toBe('http://localhost:11434/v1');
  });

  it('uses Claude with ANTHROPIC_API_KEY', () => {
    const choice = chooseModel({ ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_MODEL: 'claude-x' });
    expect(choice.llm).toBeInstanceOf(ClaudeAdapter);
    expect((choice.llm as ClaudeAdapter).model).toBe('claude-x');
  });

  it('rejects an unknown provider and a provider without its key with CONFIG_ERROR', () => {
    expect(() => chooseModel({ MCP_FILESYSTEM_PROVIDER: 'gemini' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_ERROR',
        details: { variable: 'MCP_FILESYSTEM_PROVIDER', value: 'gemini' },
      }),
    );
    expect(() => chooseModel({ MCP_FILESYSTEM_PROVIDER: 'anthropic' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERROR', details: { variable: 'ANTHROPIC_API_KEY' } }),
    );
  });
});
