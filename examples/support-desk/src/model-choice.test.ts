import { ConfigError } from '@promethean-os/pantheon-core';
import { ClaudeAdapter } from '@promethean-os/pantheon-llm-claude';
import { OpenAiAdapter } from '@promethean-os/pantheon-llm-openai';
import {
  createRecordingServer,
  type RecordingServer,
  ReplayLlmAdapter,
} from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chooseModel, SUPPORT_DESK_CASSETTE } from './model-choice';

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

/** The `ConfigError` `chooseModel(env)` rejects with. */
async function refusal(env: Record<string, string>): Promise<ConfigError> {
  const error = await chooseModel(env).catch((caught: unknown) => caught);
  expect(ConfigError.isInstance(error)).toBe(true);
  return error as ConfigError;
}

describe('chooseModel', () => {
  it('replays the committed cassette unless PANTHEON_LLM_PROVIDER names a model (a key alone does not)', async () => {
    const choice = await chooseModel({ OPENAI_API_KEY: 'sk-test' });
    expect(choice.provider).toBe('replay');
    expect(choice.llm).toBeInstanceOf(ReplayLlmAdapter);
    expect((choice.llm as ReplayLlmAdapter).file).toBe(SUPPORT_DESK_CASSETTE);
    expect(choice.description).toContain('scripted recording');
  });

  it('uses OpenAI for PANTHEON_LLM_PROVIDER=openai, its key, and PANTHEON_LLM_MODEL when set', async () => {
    const choice = await chooseModel({
      PANTHEON_LLM_PROVIDER: 'openai',
      PANTHEON_LLM_MODEL: 'gpt-5.4',
      OPENAI_API_KEY: 'sk-test',
    });
    expect(choice.provider).toBe('openai');
    const llm = choice.llm as OpenAiAdapter;
    expect(llm).toBeInstanceOf(OpenAiAdapter);
    expect(llm.model).toBe('gpt-5.4');
    expect(llm.client.apiKey).toBe('sk-test');
    expect(llm.client.baseURL).toBe('https://api.openai.com/v1');
  });

  it('uses Claude for PANTHEON_LLM_PROVIDER=claude, its key, and PANTHEON_LLM_MODEL when set', async () => {
    const choice = await chooseModel({
      PANTHEON_LLM_PROVIDER: 'claude',
      PANTHEON_LLM_MODEL: 'claude-x',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      OPENAI_API_KEY: 'sk-test',
    });
    expect(choice.provider).toBe('claude');
    const llm = choice.llm as ClaudeAdapter;
    expect(llm).toBeInstanceOf(ClaudeAdapter);
    expect(llm.model).toBe('claude-x');
    expect(llm.client.apiKey).toBe('sk-ant-test');
  });

  it('rejects an unknown provider and a provider without its key, naming the variable', async () => {
    const unknown = await refusal({ PANTHEON_LLM_PROVIDER: 'gemini' });
    expect(unknown.code).toBe('CONFIG_INVALID');
    expect(unknown.message).toContain('PANTHEON_LLM_PROVIDER');
    expect(unknown.message).toContain('gemini');
    expect(await refusal({ PANTHEON_LLM_PROVIDER: 'claude' })).toMatchObject({
      code: 'CONFIG_ERROR',
      details: { variable: 'ANTHROPIC_API_KEY' },
    });
    expect(await refusal({ PANTHEON_LLM_PROVIDER: 'openai' })).toMatchObject({
      code: 'CONFIG_ERROR',
      details: { variable: 'OPENAI_API_KEY' },
    });
  });

  describe('base URLs, against a local server', () => {
    let server: RecordingServer;

    beforeEach(async () => {
      server = await createRecordingServer();
    });

    afterEach(async () => {
      await server.close();
    });

    it('talks to the OpenAI-compatible server in PANTHEON_LLM_BASE_URL, without a real key', async () => {
      server.reply({
        json: {
          id: 'chatcmpl-local',
          object: 'chat.completion',
          created: 1_763_980_800,
          model: 'llama3.2',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'Hej!' },
              finish_reason: 'stop',
            },
          ],
        },
      });
      const choice = await chooseModel({
        PANTHEON_LLM_PROVIDER: 'openai',
        PANTHEON_LLM_BASE_URL: `${server.url}/v1`,
        PANTHEON_LLM_MODEL: 'llama3.2',
      });

      const reply = await choice.llm.complete([{ role: 'user', content: 'Hello' }]);

      expect(choice.provider).toBe('openai');
      expect(reply.content).toBe('Hej!');
      expect(server.requests[0]?.path).toBe('/v1/chat/completions');
      expect(server.requests[0]?.json.model).toBe('llama3.2');
    });

    it('talks to the Claude API at PANTHEON_LLM_BASE_URL', async () => {
      server.reply({
        json: {
          id: 'msg_local',
          type: 'message',
          role: 'assistant',
          model: 'claude-x',
          content: [{ type: 'text', text: 'Hej!' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 3, output_tokens: 2 },
        },
      });
      const choice = await chooseModel({
        PANTHEON_LLM_PROVIDER: 'claude',
        PANTHEON_LLM_BASE_URL: server.url,
        PANTHEON_LLM_MODEL: 'claude-x',
        ANTHROPIC_API_KEY: 'sk-ant-test',
      });

      const reply = await choice.llm.complete([{ role: 'user', content: 'Hello' }]);

      expect(reply.content).toBe('Hej!');
      expect(server.requests[0]?.path).toBe('/v1/messages');
      expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-ant-test');
    });
  });
});
