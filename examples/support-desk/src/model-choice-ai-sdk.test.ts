import * as googlePackage from '@ai-sdk/google';
import { AiSdkLlmAdapter } from '@promethean-os/pantheon-llm-ai-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aiSdkModelName, chooseModel, chooseModelFromEnvironment } from './model-choice';

// Providers read their keys from process.env; clear the ones these tests could meet.
beforeEach(() => {
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY']) {
    vi.stubEnv(name, '');
  }
  vi.stubEnv('GOOGLE_GENERATIVE_AI_API_KEY', undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const gemini = { AI_SDK_MODEL: '@ai-sdk/google:gemini-2.5-flash' };

describe('chooseModel with an AI SDK provider', () => {
  it('reads AI_SDK_MODEL as <provider package>:<model id>', () => {
    expect(aiSdkModelName(gemini)).toEqual({
      packageName: '@ai-sdk/google',
      modelId: 'gemini-2.5-flash',
    });
    // Model ids may hold colons (Bedrock, Ollama tags); the package name never does.
    expect(
      aiSdkModelName({ AI_SDK_MODEL: '@ai-sdk/amazon-bedrock:us.anthropic.claude-v1:0' }),
    ).toEqual({ packageName: '@ai-sdk/amazon-bedrock', modelId: 'us.anthropic.claude-v1:0' });
    expect(aiSdkModelName({ AI_SDK_MODEL: 'ollama-ai-provider-v2:llama3.2:3b' })).toEqual({
      packageName: 'ollama-ai-provider-v2',
      modelId: 'llama3.2:3b',
    });
    expect(aiSdkModelName({})).toBeUndefined();
  });

  it("wraps the package's provider model in AiSdkLlmAdapter, ahead of PANTHEON_LLM_PROVIDER", async () => {
    const choice = await chooseModel(
      { ...gemini, PANTHEON_LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test' },
      undefined,
      { '@ai-sdk/google': googlePackage },
    );
    expect(choice.provider).toBe('ai-sdk');
    const llm = choice.llm as AiSdkLlmAdapter;
    expect(llm).toBeInstanceOf(AiSdkLlmAdapter);
    expect(llm.model.modelId).toBe('gemini-2.5-flash');
    expect(llm.model.provider).toBe('google.generative-ai');
    expect(choice.description).toBe(
      'AI SDK model gemini-2.5-flash of @ai-sdk/google (google.generative-ai)',
    );
  });

  it('imports the package AI_SDK_MODEL names; the missing key surfaces as a ConfigError naming it', async () => {
    const choice = await chooseModelFromEnvironment(gemini);
    expect(choice.provider).toBe('ai-sdk');
    expect((choice.llm as AiSdkLlmAdapter).model.provider).toBe('google.generative-ai');

    // GOOGLE_GENERATIVE_AI_API_KEY is unset: the provider refuses before sending anything.
    await expect(choice.llm.complete([{ role: 'user', content: 'Hello' }])).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'CONFIG_ERROR',
      details: { variable: 'GOOGLE_GENERATIVE_AI_API_KEY' },
    });
  });

  it('chooses by the PANTHEON_* variables when AI_SDK_MODEL is not set', async () => {
    expect((await chooseModelFromEnvironment({})).provider).toBe('replay');
    expect(
      (
        await chooseModelFromEnvironment({
          PANTHEON_LLM_PROVIDER: 'openai',
          OPENAI_API_KEY: 'sk-test',
        })
      ).provider,
    ).toBe('openai');
  });

  it('names AI_SDK_MODEL when it is malformed', async () => {
    await expect(chooseModel({ AI_SDK_MODEL: 'gemini-2.5-flash' })).rejects.toMatchObject({
      name: 'ConfigError',
      details: { variable: 'AI_SDK_MODEL' },
      message: expect.stringContaining('<provider package>:<model id>'),
    });
  });

  it('names a package that is not installed, and how to install it', async () => {
    const error = await chooseModelFromEnvironment({
      AI_SDK_MODEL: '@ai-sdk/not-installed-here:some-model',
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      name: 'ConfigError',
      details: { variable: 'AI_SDK_MODEL', package: '@ai-sdk/not-installed-here' },
      message: expect.stringContaining(
        'pnpm --filter @promethean-os/example-support-desk add @ai-sdk/not-installed-here',
      ),
    });
  });

  it('rejects a package without exactly one provider instance', async () => {
    const onlyFactory = { createCompatible: () => ({}) };
    await expect(
      chooseModel({ AI_SDK_MODEL: 'factory-only:m' }, undefined, { 'factory-only': onlyFactory }),
    ).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('exactly one AI SDK provider instance'),
    });
  });
});
