import {
  APICallError,
  InvalidPromptError,
  type LanguageModelV4CallOptions,
  type LanguageModelV4StreamPart,
  LoadAPIKeyError,
  LoadSettingError,
  NoSuchModelError,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import type { LlmStreamEvent, Message, ToolSpec } from '@promethean-os/pantheon-core';
import { MockLanguageModelV3, MockLanguageModelV4, MockProviderV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AiSdkLlmAdapter, type AiSdkLlmAdapterOptions } from './ai-sdk-adapter';
import {
  generateResult,
  streamPartsOf,
  streamResult,
  usageOf,
} from './ai-sdk-fixtures.test-helper';
import { AI_SDK_CONTENT_METADATA_KEY } from './ai-sdk-message-mapping';

async function failure(promise: Promise<unknown> | (() => unknown)) {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return error as Record<string, any>;
  }
  throw new Error('Expected the call to fail');
}

async function collect(events: AsyncIterable<LlmStreamEvent>) {
  const collected: LlmStreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

const weatherTool: ToolSpec = {
  name: 'get-weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string' } },
    required: ['location'],
  },
  execute: async () => 'sunny',
};

const timeTool: ToolSpec = {
  name: 'get-time',
  description: 'Current time in a time zone',
  parameters: z.object({ zone: z.string() }),
  execute: async () => '12:00',
};

const hello: Message[] = [{ role: 'user', content: 'Hello' }];

function textModel(text = 'Hi there') {
  return new MockLanguageModelV4({
    provider: 'mock.chat',
    modelId: 'mock-model',
    doGenerate: generateResult([{ type: 'text', text }]),
  });
}

function adapterOn(model: MockLanguageModelV4, options: AiSdkLlmAdapterOptions = {}) {
  return new AiSdkLlmAdapter(model, { retryDelayMs: 1, ...options });
}

function lastCall(model: MockLanguageModelV4): LanguageModelV4CallOptions {
  const call = model.doGenerateCalls.at(-1) ?? model.doStreamCalls.at(-1);
  if (!call) throw new Error('The model was not called');
  return call;
}

function apiCallError(statusCode: number | undefined, extra: Partial<APICallError> = {}) {
  return new APICallError({
    message:
      statusCode === undefined ? 'Cannot connect to API: ECONNREFUSED' : `HTTP ${statusCode}`,
    url: 'https://api.example.test/v1/chat',
    requestBodyValues: {},
    statusCode,
    responseBody: '{"error":{"message":"nope"}}',
    isRetryable: statusCode === undefined || statusCode === 429 || (statusCode ?? 0) >= 500,
    ...extra,
  });
}

describe('AiSdkLlmAdapter construction', () => {
  it('takes a LanguageModelV4 and exposes it', () => {
    const model = textModel();
    expect(new AiSdkLlmAdapter(model).model).toBe(model);
  });

  it.each([
    ['a model id string', 'gpt-4o', 'the string "gpt-4o"'],
    ['undefined', undefined, 'got undefined'],
    ['a plain object', { doGenerate: () => {} }, 'an object without specificationVersion'],
    [
      'a model of an older spec',
      new MockLanguageModelV3({ provider: 'legacy.chat', modelId: 'old-1' }),
      'specificationVersion "v3" (provider "legacy.chat", modelId "old-1")',
    ],
    ['a provider instead of a model', new MockProviderV4(), 'a provider, not a model'],
  ])('rejects %s with a ConfigError naming it', (_, value, named) => {
    const error = (() => {
      try {
        new AiSdkLlmAdapter(value as never);
      } catch (thrown) {
        return thrown as Record<string, any>;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('CONFIG_ERROR');
    expect(error.message).toContain('LanguageModelV4');
    expect(error.message).toContain(named);
  });

  it.each([
    [{ maxRetries: -1 }, 'maxRetries'],
    [{ maxRetries: 1.5 }, 'maxRetries'],
    [{ retryDelayMs: Number.NaN }, 'retryDelayMs'],
    [{ unsupportedContent: 'drop' }, 'unsupportedContent'],
    [{ provider: {} }, 'provider'],
    [{ downloadImages: 'yes' }, 'downloadImages'],
  ])('rejects the invalid option %j with a ConfigError', (options, option) => {
    expect(() => new AiSdkLlmAdapter(textModel(), options as never)).toThrowError(
      expect.objectContaining({
        name: 'ConfigError',
        code: 'CONFIG_ERROR',
        details: expect.objectContaining({ option }),
      }),
    );
  });
});

describe('AiSdkLlmAdapter requests', () => {
  it('maps every role, tool calls and tool results to the spec prompt', async () => {
    const model = textModel();
    await adapterOn(model).complete([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather and time in Paris?', name: 'ada' },
      {
        role: 'assistant',
        content: 'Let me look.',
        toolCalls: [
          { id: 'call_1', name: 'get-weather', args: { location: 'Paris' } },
          { id: 'call_2', name: 'get-time', args: { zone: 'Europe/Paris' } },
        ],
      },
      { role: 'tool', content: 'Sunny', toolCallId: 'call_1', name: 'get-weather' },
      // No name: found from the assistant's tool call; a failed tool is an error result.
      {
        role: 'tool',
        content: 'Error (TOOL_TIMEOUT): slow',
        toolCallId: 'call_2',
        metadata: { isError: true },
      },
    ]);

    expect(lastCall(model).prompt).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          {
            type: 'tool-call',
            toolCallId: 'call_1',
            toolName: 'get-weather',
            input: { location: 'Paris' },
          },
          {
            type: 'tool-call',
            toolCallId: 'call_2',
            toolName: 'get-time',
            input: { zone: 'Europe/Paris' },
          },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'get-weather',
            output: { type: 'text', value: 'Sunny' },
          },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_2',
            toolName: 'get-time',
            output: { type: 'error-text', value: 'Error (TOOL_TIMEOUT): slow' },
          },
        ],
      },
    ]);
  });

  it('offers tools as JSON Schema (from JSON Schema or zod) and maps tool choice and options', async () => {
    const model = textModel();
    const controller = new AbortController();
    await adapterOn(model, {
      headers: { 'x-team': 'support' },
      providerOptions: { google: { thinkingConfig: { thinkingBudget: 0 } } },
    }).complete(hello, {
      tools: [weatherTool, timeTool],
      toolChoice: { name: 'get-time' },
      temperature: 0.2,
      maxTokens: 300,
      signal: controller.signal,
    });

    const call = lastCall(model);
    expect(call.tools).toEqual([
      {
        type: 'function',
        name: 'get-weather',
        description: 'Current weather for a city',
        inputSchema: weatherTool.parameters,
      },
      {
        type: 'function',
        name: 'get-time',
        description: 'Current time in a time zone',
        inputSchema: expect.objectContaining({
          type: 'object',
          properties: { zone: { type: 'string' } },
          required: ['zone'],
        }),
      },
    ]);
    expect(call.toolChoice).toEqual({ type: 'tool', toolName: 'get-time' });
    expect(call.temperature).toBe(0.2);
    expect(call.maxOutputTokens).toBe(300);
    expect(call.abortSignal).toBe(controller.signal);
    expect(call.headers).toEqual({ 'x-team': 'support' });
    expect(call.providerOptions).toEqual({ google: { thinkingConfig: { thinkingBudget: 0 } } });
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    ['required', { type: 'required' }],
  ] as const)('maps toolChoice %s', async (choice, expected) => {
    const model = textModel();
    await adapterOn(model).complete(hello, { tools: [weatherTool], toolChoice: choice });
    expect(lastCall(model).toolChoice).toEqual(expected);
  });

  it('sends no tools, tool choice or sampling options the call did not set', async () => {
    const model = textModel();
    await adapterOn(model).complete(hello, { toolChoice: 'required' });
    const call = lastCall(model);
    expect(Object.keys(call).sort()).toEqual(['prompt']);
  });

  it('sends data URL images as bytes and image URLs the model takes as URLs', async () => {
    const model = new MockLanguageModelV4({
      doGenerate: generateResult([{ type: 'text', text: 'A cat.' }]),
      supportedUrls: { 'image/*': [/^https:\/\/images\.example\.test\//] },
    });
    await adapterOn(model).complete([
      {
        role: 'user',
        content: 'What is on these?',
        images: ['data:image/png;base64,iVBORw0KGgo=', 'https://images.example.test/cat.jpg'],
      },
    ]);
    expect(lastCall(model).prompt[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is on these?' },
        { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'iVBORw0KGgo=' } },
        {
          type: 'file',
          mediaType: 'image/jpeg',
          data: { type: 'url', url: new URL('https://images.example.test/cat.jpg') },
        },
      ],
    });
  });

  it('downloads image URLs the model does not take, unless downloadImages is false', async () => {
    const fetched: string[] = [];
    const downloadImages = async (url: URL) => {
      fetched.push(url.toString());
      return { data: new Uint8Array([1, 2, 3]), mediaType: 'image/webp' };
    };
    const model = textModel();
    const image: Message = { role: 'user', content: '', images: ['https://cdn.example.test/a'] };

    await adapterOn(model, { downloadImages }).complete([image]);
    expect(fetched).toEqual(['https://cdn.example.test/a']);
    expect(lastCall(model).prompt[0]).toEqual({
      role: 'user',
      content: [
        {
          type: 'file',
          mediaType: 'image/webp',
          data: { type: 'data', data: new Uint8Array([1, 2, 3]) },
        },
      ],
    });

    await adapterOn(model, { downloadImages: false }).complete([image]);
    expect(lastCall(model).prompt[0]).toEqual({
      role: 'user',
      content: [
        {
          type: 'file',
          mediaType: 'image',
          data: { type: 'url', url: new URL('https://cdn.example.test/a') },
        },
      ],
    });
    expect(fetched).toHaveLength(1);
  });

  it('rejects images it cannot send with LLM_BAD_REQUEST, before calling the model', async () => {
    const model = textModel();
    const notAUrl = await failure(
      adapterOn(model).complete([{ role: 'user', content: 'x', images: ['cat.png'] }]),
    );
    expect(notAUrl).toMatchObject({
      name: 'LlmError',
      code: 'LLM_BAD_REQUEST',
      details: { index: 0 },
    });

    const unreachable = await failure(
      adapterOn(model, {
        downloadImages: async () => {
          throw new Error('HTTP 404 Not Found');
        },
      }).complete([{ role: 'user', content: 'x', images: ['https://cdn.example.test/gone.png'] }]),
    );
    expect(unreachable).toMatchObject({ code: 'LLM_BAD_REQUEST', retryable: false });
    expect(unreachable.message).toContain('https://cdn.example.test/gone.png');
    expect(unreachable.message).toContain('HTTP 404');
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it.each([
    [
      'a tool message without toolCallId',
      [{ role: 'tool', content: 'x', name: 't' }],
      'toolCallId',
    ],
    ['a tool result for no known call', [{ role: 'tool', content: 'x', toolCallId: 'c9' }], 'c9'],
    [
      'a system message with images',
      [{ role: 'system', content: 'x', images: ['data:image/png;base64,AA=='] }],
      'images',
    ],
    ['an unknown role', [{ role: 'robot', content: 'x' }], 'role'],
    ['content that is not a string', [{ role: 'user', content: 42 }], 'content'],
  ])('rejects %s with LLM_BAD_REQUEST', async (_, messages, named) => {
    const model = textModel();
    const error = await failure(adapterOn(model).complete(messages as Message[]));
    expect(error).toMatchObject({
      name: 'LlmError',
      code: 'LLM_BAD_REQUEST',
      retryable: false,
      provider: 'mock.chat',
    });
    expect(error.message).toContain(named);
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it('drops a per-call model it cannot honour and says so in metadata.droppedOptions', async () => {
    const model = textModel();
    const reply = await adapterOn(model).complete(hello, { model: 'other-model' });
    expect(reply.metadata?.droppedOptions).toEqual(['model']);
    const same = await adapterOn(model).complete(hello, { model: 'mock-model' });
    expect(same.metadata?.droppedOptions).toBeUndefined();
  });

  it('sends a per-call model to provider.languageModel when given a provider', async () => {
    const small = textModel('from small');
    const large = new MockLanguageModelV4({
      provider: 'mock.chat',
      modelId: 'large',
      doGenerate: generateResult([{ type: 'text', text: 'from large' }]),
    });
    const provider = new MockProviderV4({ languageModels: { large } });
    const llm = adapterOn(small, { provider });

    const reply = await llm.complete(hello, { model: 'large' });
    expect(reply.content).toBe('from large');
    expect(reply.metadata?.droppedOptions).toBeUndefined();
    expect(small.doGenerateCalls).toHaveLength(0);

    const unknown = await failure(llm.complete(hello, { model: 'huge' }));
    expect(unknown).toMatchObject({ name: 'LlmError', code: 'LLM_BAD_REQUEST' });
    expect(NoSuchModelError.isInstance(unknown.cause)).toBe(true);
  });
});

describe('AiSdkLlmAdapter replies', () => {
  it('returns text, tool calls, usage, finish reason and response facts', async () => {
    const model = new MockLanguageModelV4({
      provider: 'mock.chat',
      modelId: 'mock-model',
      doGenerate: generateResult(
        [
          { type: 'text', text: 'Checking ' },
          { type: 'text', text: 'now.' },
          {
            type: 'tool-call',
            toolCallId: 'call_1',
            toolName: 'get-weather',
            input: '{"location":"Oslo"}',
          },
          { type: 'tool-call', toolCallId: 'call_2', toolName: 'get-time', input: '' },
        ],
        { warnings: [{ type: 'unsupported', feature: 'temperature', details: 'fixed at 1' }] },
      ),
    });
    const reply = await adapterOn(model).complete(hello, {
      tools: [weatherTool, timeTool],
      temperature: 0,
    });
    expect(reply).toEqual({
      role: 'assistant',
      content: 'Checking now.',
      toolCalls: [
        { id: 'call_1', name: 'get-weather', args: { location: 'Oslo' } },
        { id: 'call_2', name: 'get-time', args: {} },
      ],
      metadata: {
        provider: 'mock.chat',
        model: 'mock-model-2026-01',
        id: 'resp-1',
        finishReason: 'tool-calls',
        rawFinishReason: 'tool_calls',
        usage: { inputTokens: 12, outputTokens: 5 },
        warnings: [{ type: 'unsupported', feature: 'temperature', details: 'fixed at 1' }],
      },
    });
  });

  it('leaves usage out when the provider reports no token counts', async () => {
    const model = new MockLanguageModelV4({
      doGenerate: generateResult([{ type: 'text', text: 'ok' }], {
        usage: {
          inputTokens: {
            total: undefined,
            noCache: undefined,
            cacheRead: undefined,
            cacheWrite: undefined,
          },
          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
        },
      }),
    });
    const reply = await adapterOn(model).complete(hello);
    expect(reply.metadata).not.toHaveProperty('usage');
  });

  it('rejects tool call input that is not a JSON object with LLM_INVALID_RESPONSE', async () => {
    const model = new MockLanguageModelV4({
      doGenerate: generateResult([
        { type: 'tool-call', toolCallId: 'c1', toolName: 'get-weather', input: '{"loc' },
      ]),
    });
    const error = await failure(adapterOn(model).complete(hello, { tools: [weatherTool] }));
    expect(error).toMatchObject({
      name: 'LlmError',
      code: 'LLM_INVALID_RESPONSE',
      details: { toolName: 'get-weather' },
    });
  });

  it('keeps reasoning and provider metadata, and sends them back with the assistant message', async () => {
    const signature = { google: { thoughtSignature: 'c2lnbmF0dXJl' } };
    const model = new MockLanguageModelV4({
      provider: 'google.generative-ai',
      doGenerate: [
        generateResult([
          { type: 'reasoning', text: 'The user wants weather.', providerMetadata: signature },
          {
            type: 'tool-call',
            toolCallId: 'c1',
            toolName: 'get-weather',
            input: '{"location":"Oslo"}',
            providerMetadata: signature,
          },
          {
            type: 'source',
            sourceType: 'url',
            id: 's1',
            url: 'https://met.example.test/oslo',
            title: 'Met',
          },
        ]),
        generateResult([{ type: 'text', text: 'Sunny in Oslo.' }]),
      ],
    });
    const llm = adapterOn(model);
    const first = await llm.complete(hello, { tools: [weatherTool] });

    expect(first.toolCalls).toEqual([
      { id: 'c1', name: 'get-weather', args: { location: 'Oslo' } },
    ]);
    expect(first.metadata).toMatchObject({
      reasoning: 'The user wants weather.',
      sources: [
        {
          type: 'source',
          sourceType: 'url',
          id: 's1',
          url: 'https://met.example.test/oslo',
          title: 'Met',
        },
      ],
    });
    // JSON-safe: it survives a store or a cassette.
    const stored = JSON.parse(JSON.stringify(first)) as Message;

    await llm.complete(
      [...hello, stored, { role: 'tool', content: 'Sunny', toolCallId: 'c1', name: 'get-weather' }],
      { tools: [weatherTool] },
    );
    expect(lastCall(model).prompt[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'The user wants weather.', providerOptions: signature },
        {
          type: 'tool-call',
          toolCallId: 'c1',
          toolName: 'get-weather',
          input: { location: 'Oslo' },
          providerOptions: signature,
        },
      ],
    });
  });

  it('keeps plain replies plain: no kept parts without reasoning or provider metadata', async () => {
    const reply = await adapterOn(textModel()).complete(hello);
    expect(reply.metadata).not.toHaveProperty(AI_SDK_CONTENT_METADATA_KEY);
  });

  it('rejects a reply part a message cannot hold with LLM_UNSUPPORTED_CONTENT, naming it', async () => {
    const model = new MockLanguageModelV4({
      doGenerate: generateResult([
        { type: 'text', text: 'Here is your logo.' },
        {
          type: 'file',
          mediaType: 'image/png',
          data: { type: 'data', data: new Uint8Array([137, 80, 78, 71]) },
        },
      ]),
    });
    const error = await failure(adapterOn(model).complete(hello));
    expect(error).toMatchObject({
      name: 'LlmError',
      code: 'LLM_UNSUPPORTED_CONTENT',
      retryable: false,
      details: { parts: [{ type: 'file', mediaType: 'image/png' }] },
    });
    expect(error.message).toContain('file image/png');
    expect(error.message).toContain("unsupportedContent: 'metadata'");
  });

  it("keeps such parts in metadata.unsupportedContent with unsupportedContent: 'metadata'", async () => {
    const model = new MockLanguageModelV4({
      doGenerate: generateResult([
        { type: 'text', text: 'Here is your logo.' },
        {
          type: 'file',
          mediaType: 'image/png',
          data: { type: 'data', data: new Uint8Array([137, 80, 78, 71]) },
        },
        {
          type: 'tool-call',
          toolCallId: 'ws1',
          toolName: 'web_search',
          input: '{"q":"logo"}',
          providerExecuted: true,
        },
      ]),
    });
    const reply = await adapterOn(model, { unsupportedContent: 'metadata' }).complete(hello);
    expect(reply.content).toBe('Here is your logo.');
    expect(reply.toolCalls).toBeUndefined();
    expect(reply.metadata?.unsupportedContent).toEqual([
      { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'iVBORw==' } },
      {
        type: 'tool-call',
        toolCallId: 'ws1',
        toolName: 'web_search',
        input: '{"q":"logo"}',
        providerExecuted: true,
      },
    ]);
  });
});

describe('AiSdkLlmAdapter errors', () => {
  it.each([
    [401, 'LLM_AUTH', false],
    [403, 'LLM_AUTH', false],
    [400, 'LLM_BAD_REQUEST', false],
    [404, 'LLM_BAD_REQUEST', false],
    [429, 'LLM_RATE_LIMIT', true],
    [500, 'LLM_SERVER', true],
    [503, 'LLM_SERVER', true],
  ])('maps APICallError %i to %s (retryable: %s)', async (status, code, retryable) => {
    const model = new MockLanguageModelV4({
      provider: 'mock.chat',
      doGenerate: async () => {
        throw apiCallError(status);
      },
    });
    const error = await failure(adapterOn(model, { maxRetries: 1 }).complete(hello));
    expect(error).toMatchObject({
      name: 'LlmError',
      code,
      status,
      retryable,
      provider: 'mock.chat',
    });
    expect(error.details).toMatchObject({
      url: 'https://api.example.test/v1/chat',
      responseBody: '{"error":{"message":"nope"}}',
    });
    expect(APICallError.isInstance(error.cause)).toBe(true);
    // Retryable failures are tried again (maxRetries: 1), the others are not.
    expect(model.doGenerateCalls).toHaveLength(retryable ? 2 : 1);
  });

  it('retries a retryable failure, waiting what retry-after-ms asks, then answers', async () => {
    let attempts = 0;
    const model = new MockLanguageModelV4({
      doGenerate: async () => {
        attempts++;
        if (attempts < 3) throw apiCallError(429, { responseHeaders: { 'retry-after-ms': '5' } });
        return generateResult([{ type: 'text', text: 'finally' }]);
      },
    });
    const started = Date.now();
    const reply = await new AiSdkLlmAdapter(model, { retryDelayMs: 60_000 }).complete(hello);
    expect(reply.content).toBe('finally');
    expect(attempts).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('maps a failure to connect (APICallError without status) to LLM_CONNECTION', async () => {
    const model = new MockLanguageModelV4({
      doGenerate: async () => {
        throw apiCallError(undefined);
      },
    });
    const error = await failure(adapterOn(model, { maxRetries: 0 }).complete(hello));
    expect(error).toMatchObject({ code: 'LLM_CONNECTION', retryable: true });
  });

  it('turns a missing API key or setting into a ConfigError naming the variable', async () => {
    for (const thrown of [
      new LoadAPIKeyError({
        message:
          "Mistral API key is missing. Pass it using the 'apiKey' parameter or the MISTRAL_API_KEY environment variable.",
      }),
      new LoadSettingError({
        message:
          "Azure OpenAI resource name setting is missing. Pass it using the 'resourceName' parameter or the AZURE_RESOURCE_NAME environment variable.",
      }),
    ]) {
      const model = new MockLanguageModelV4({
        doGenerate: async () => {
          throw thrown;
        },
      });
      const error = await failure(adapterOn(model).complete(hello));
      const variable = thrown.message.includes('MISTRAL')
        ? 'MISTRAL_API_KEY'
        : 'AZURE_RESOURCE_NAME';
      expect(error).toMatchObject({
        name: 'ConfigError',
        code: 'CONFIG_ERROR',
        details: { variable },
      });
      expect(error.message).toContain(`set ${variable}`);
      expect(model.doGenerateCalls).toHaveLength(1);
    }
  });

  it.each([
    [
      'InvalidPromptError',
      new InvalidPromptError({ prompt: [], message: 'system messages must come first' }),
      'LLM_BAD_REQUEST',
    ],
    [
      'UnsupportedFunctionalityError',
      new UnsupportedFunctionalityError({ functionality: 'image URLs' }),
      'LLM_BAD_REQUEST',
    ],
    ['a plain Error', new Error('socket hang up in a custom provider'), 'LLM_ERROR'],
  ])('maps %s to %s', async (_, thrown, code) => {
    const model = new MockLanguageModelV4({
      doGenerate: async () => {
        throw thrown;
      },
    });
    const error = await failure(adapterOn(model).complete(hello));
    expect(error).toMatchObject({ name: 'LlmError', code });
    expect(error.cause).toBe(thrown);
  });

  it('rejects with LLM_ABORTED as soon as the signal aborts, even if the model ignores it', async () => {
    const model = new MockLanguageModelV4({ doGenerate: () => new Promise(() => {}) });
    const controller = new AbortController();
    const pending = adapterOn(model).complete(hello, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const error = await failure(pending);
    expect(error).toMatchObject({ name: 'LlmError', code: 'LLM_ABORTED', retryable: false });
  });

  it('stops retrying when the signal aborts during the wait', async () => {
    const model = new MockLanguageModelV4({
      doGenerate: async () => {
        throw apiCallError(503);
      },
    });
    const controller = new AbortController();
    const pending = new AiSdkLlmAdapter(model, { retryDelayMs: 60_000 }).complete(hello, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 5);
    expect(await failure(pending)).toMatchObject({ code: 'LLM_ABORTED' });
    expect(model.doGenerateCalls).toHaveLength(1);
  });
});

describe('AiSdkLlmAdapter.stream', () => {
  function streamingModel(
    parts: LanguageModelV4StreamPart[] | (() => ReadableStream<LanguageModelV4StreamPart>),
  ) {
    return new MockLanguageModelV4({
      provider: 'mock.chat',
      modelId: 'mock-model',
      doStream: async () =>
        typeof parts === 'function' ? { stream: parts() } : streamResult(parts),
    });
  }

  it('streams text deltas and complete tool calls, then the message complete would return', async () => {
    const reply: Message = {
      role: 'assistant',
      content: 'Let me check the weather.',
      toolCalls: [{ id: 'call_1', name: 'get-weather', args: { location: 'Paris' } }],
    };
    const model = streamingModel(streamPartsOf(reply));
    const events = await collect(
      adapterOn(model).stream(hello, { tools: [weatherTool], toolChoice: 'auto' }),
    );

    expect(
      events
        .filter((event) => event.type === 'text-delta')
        .map((event) => (event as { delta: string }).delta),
    ).toEqual(['Let ', 'me ', 'check ', 'the ', 'weather.']);
    expect(events.filter((event) => event.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCall: reply.toolCalls?.[0] },
    ]);
    expect(events.at(-1)).toEqual({
      type: 'finish',
      message: {
        ...reply,
        metadata: {
          provider: 'mock.chat',
          model: 'mock-model-2026-01',
          id: 'resp-1',
          finishReason: 'tool-calls',
          rawFinishReason: 'tool_calls',
          usage: { inputTokens: 12, outputTokens: 5 },
        },
      },
    });
    expect(model.doStreamCalls[0]?.toolChoice).toEqual({ type: 'auto' });
  });

  it('keeps streamed reasoning and its provider metadata for the next request', async () => {
    const signature = { anthropic: { signature: 'EqQBCkgIBRAB' } };
    const model = streamingModel([
      { type: 'stream-start', warnings: [] },
      { type: 'reasoning-start', id: 'r0' },
      { type: 'reasoning-delta', id: 'r0', delta: 'Think' },
      { type: 'reasoning-delta', id: 'r0', delta: 'ing.' },
      { type: 'reasoning-end', id: 'r0', providerMetadata: signature },
      { type: 'text-start', id: 't0' },
      { type: 'text-delta', id: 't0', delta: 'Done.' },
      { type: 'text-end', id: 't0' },
      { type: 'finish', usage: usageOf(3, 4), finishReason: { unified: 'stop', raw: 'end_turn' } },
    ]);
    const events = await collect(adapterOn(model).stream(hello));
    const last = events.at(-1);
    expect(last?.type === 'finish' && last.message.metadata).toMatchObject({
      reasoning: 'Thinking.',
      [AI_SDK_CONTENT_METADATA_KEY]: [
        { type: 'reasoning', text: 'Thinking.', providerOptions: signature },
        { type: 'text', text: 'Done.' },
      ],
    });
  });

  it('throws an error part as a typed error: an error object by its type, an APICallError by status', async () => {
    const overloaded = streamingModel([
      { type: 'stream-start', warnings: [] },
      { type: 'text-delta', id: 't0', delta: 'Hel' },
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ]);
    const seen: LlmStreamEvent[] = [];
    const error = await failure(async () => {
      for await (const event of adapterOn(overloaded).stream(hello)) seen.push(event);
    });
    expect(seen).toEqual([{ type: 'text-delta', delta: 'Hel' }]);
    expect(error).toMatchObject({
      name: 'LlmError',
      code: 'LLM_SERVER',
      retryable: true,
      provider: 'mock.chat',
    });
    expect(error.message).toContain('Overloaded');

    const limited = streamingModel([
      { type: 'error', error: { error: { type: 'rate_limit_exceeded', message: 'slow down' } } },
    ]);
    expect(await failure(collect(adapterOn(limited).stream(hello)))).toMatchObject({
      code: 'LLM_RATE_LIMIT',
    });

    const unauthorized = streamingModel([{ type: 'error', error: apiCallError(401) }]);
    expect(await failure(collect(adapterOn(unauthorized).stream(hello)))).toMatchObject({
      code: 'LLM_AUTH',
      status: 401,
    });
  });

  it('rejects a streamed file part with LLM_UNSUPPORTED_CONTENT, or keeps it with the metadata policy', async () => {
    const parts: LanguageModelV4StreamPart[] = [
      { type: 'text-delta', id: 't0', delta: 'Logo: ' },
      { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'iVBORw==' } },
      { type: 'finish', usage: usageOf(1, 1), finishReason: { unified: 'stop', raw: 'STOP' } },
    ];
    expect(await failure(collect(adapterOn(streamingModel(parts)).stream(hello)))).toMatchObject({
      code: 'LLM_UNSUPPORTED_CONTENT',
      details: { parts: [{ type: 'file', mediaType: 'image/png' }] },
    });

    const events = await collect(
      adapterOn(streamingModel(parts), { unsupportedContent: 'metadata' }).stream(hello),
    );
    const last = events.at(-1);
    expect(last?.type === 'finish' && last.message.metadata?.unsupportedContent).toEqual([
      { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'iVBORw==' } },
    ]);
  });

  it('rejects a stream that ends without a finish part with LLM_INVALID_RESPONSE', async () => {
    const model = streamingModel([{ type: 'text-delta', id: 't0', delta: 'Hi' }]);
    expect(await failure(collect(adapterOn(model).stream(hello)))).toMatchObject({
      code: 'LLM_INVALID_RESPONSE',
    });
  });

  it('aborts a stream whose model ignores the signal, and cancels the model stream', async () => {
    let cancelled = false;
    const model = streamingModel(
      () =>
        new ReadableStream<LanguageModelV4StreamPart>({
          start(controller) {
            controller.enqueue({ type: 'text-delta', id: 't0', delta: 'Once upon' });
          },
          cancel() {
            cancelled = true;
          },
        }),
    );
    const controller = new AbortController();
    const seen: LlmStreamEvent[] = [];
    const error = await failure(async () => {
      for await (const event of adapterOn(model).stream(hello, { signal: controller.signal })) {
        seen.push(event);
        controller.abort();
      }
    });
    expect(seen).toEqual([{ type: 'text-delta', delta: 'Once upon' }]);
    expect(error).toMatchObject({ name: 'LlmError', code: 'LLM_ABORTED', retryable: false });
    expect(cancelled).toBe(true);
  });

  it('cancels the model stream when the consumer stops early', async () => {
    let cancelled = false;
    const model = streamingModel(
      () =>
        new ReadableStream<LanguageModelV4StreamPart>({
          pull(controller) {
            controller.enqueue({ type: 'text-delta', id: 't0', delta: 'more ' });
          },
          cancel() {
            cancelled = true;
          },
        }),
    );
    for await (const event of adapterOn(model).stream(hello)) {
      if (event.type === 'text-delta') break;
    }
    expect(cancelled).toBe(true);
  });

  it('retries a stream that fails before its first part', async () => {
    let attempts = 0;
    const model = new MockLanguageModelV4({
      doStream: async () => {
        attempts++;
        if (attempts === 1) throw apiCallError(503);
        return streamResult(streamPartsOf({ role: 'assistant', content: 'back' }));
      },
    });
    const events = await collect(adapterOn(model).stream(hello));
    expect(events.at(-1)).toMatchObject({ type: 'finish', message: { content: 'back' } });
    expect(attempts).toBe(2);
  });

  it('rejects an aborted call before calling the model', async () => {
    const model = streamingModel([]);
    const controller = new AbortController();
    controller.abort();
    expect(
      await failure(collect(adapterOn(model).stream(hello, { signal: controller.signal }))),
    ).toMatchObject({
      code: 'LLM_ABORTED',
    });
    expect(model.doStreamCalls).toHaveLength(0);
  });
});
