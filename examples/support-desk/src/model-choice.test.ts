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

describe('chooseModel', () => {
  it('replays the committed cassette when no provider is configured', () => {
    const choice = chooseModel({});
    expect(choice.provider).toBe('replay');
    expect(choice.llm).toBeInstanceOf(ReplayLlmAdapter);
    expect((choice.llm as ReplayLlmAdapter).file).toBe(SUPPORT_DESK_CASSETTE);
    expect(choice.description).toContain('scripted recording');
  });

  it('uses OpenAI with OPENAI_API_KEY, and OPENAI_MODEL when set', () => {
    const choice = chooseModel({ OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'gpt-5.4' });
    expect(choice.provider).toBe('openai');
    const llm = choice.llm as OpenAiAdapter;
    expect(llm).toBeInstanceOf(OpenAiAdapter);
    expect(llm.model).toBe('gpt-5.4');
    expect(llm.client.apiKey).toBe('sk-test');
    expect(llm.client.baseURL).toBe('https://api.openai.com/v1');
  });

  it('uses Claude with ANTHROPIC_API_KEY, and ANTHROPIC_MODEL when set', () => {
    const choice = chooseModel({ ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_MODEL: 'claude-x' });
    expect(choice.provider).toBe('anthropic');
    const llm = choice.llm as ClaudeAdapter;
    expect(llm).toBeInstanceOf(ClaudeAdapter);
    expect(llm.model).toBe('claude-x');
    expect(llm.client.apiKey).toBe('sk-ant-test');
  });

  it('prefers OpenAI when both keys are set, unless SUPPORT_DESK_PROVIDER says otherwise', () => {
    const both = { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test' };
    expect(chooseModel(both).provider).toBe('openai');
    expect(chooseModel({ ...both, SUPPORT_DESK_PROVIDER: 'anthropic' }).llm).toBeInstanceOf(
      ClaudeAdapter,
    );
    expect(chooseModel({ ...both, SUPPORT_DESK_PROVIDER: 'replay' }).llm).toBeInstanceOf(
      ReplayLlmAdapter,
    );
  });

  it('rejects an unknown provider and a provider without its key, naming the variable', () => {
    expect(() => chooseModel({ SUPPORT_DESK_PROVIDER: 'gemini' })).toThrowError(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('gemini') }),
    );
    expect(() => chooseModel({ SUPPORT_DESK_PROVIDER: 'anthropic' })).toThrowError(
      expect.objectContaining({
        name: 'ConfigError',
        message: expect.stringContaining('ANTHROPIC_API_KEY'),
      }),
    );
    expect(() => chooseModel({ SUPPORT_DESK_PROVIDER: 'openai' })).toThrowError(
      expect.objectContaining({ message: expect.stringContaining('OPENAI_API_KEY') }),
    );
  });

  describe('base URLs, against a local server', () => {
    let server: RecordingServer;

    beforeEach(async () => {
      server = await createRecordingServer();
    });

    afterEach(async () => {
      await server.close();
    });

    it('talks to the OpenAI-compatible server in OPENAI_BASE_URL, without a real key', async () => {
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
      const choice = chooseModel({
        OPENAI_BASE_URL: `${server.url}/v1`,
        OPENAI_MODEL: 'llama3.2',
      });

      const reply = await choice.llm.complete([{ role: 'user', content: 'Hello' }]);

      expect(choice.provider).toBe('openai');
      expect(reply.content).toBe('Hej!');
      expect(server.requests[0]?.path).toBe('/v1/chat/completions');
      expect(server.requests[0]?.json.model).toBe('llama3.2');
    });

    it('talks to the Claude API at ANTHROPIC_BASE_URL', async () => {
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
      const choice = chooseModel({
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_MODEL: 'claude-x',
      });

      const reply = await choice.llm.complete([{ role: 'user', content: 'Hello' }]);

      expect(reply.content).toBe('Hej!');
      expect(server.requests[0]?.path).toBe('/v1/messages');
      expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-ant-test');
    });
  });
});
