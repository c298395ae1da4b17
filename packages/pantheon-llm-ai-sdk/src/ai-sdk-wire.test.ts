// The adapter over real provider packages and real HTTP: @ai-sdk/openai-compatible (the Chat
// Completions format of Ollama, vLLM, LM Studio, Groq, …) and @ai-sdk/google (Gemini's
// generateContent format), each pointed at a local createRecordingServer().

import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LlmStreamEvent, Message, ToolSpec } from '@promethean-os/pantheon-core';
import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AiSdkLlmAdapter, type AiSdkLlmAdapterOptions } from './ai-sdk-adapter';
import {
  apiError,
  chatCompletion,
  completionStreamOf,
  firstTextChunks,
  streamErrorEvent,
  wireToolCall,
} from './ai-sdk-fixtures.test-helper';

let server: RecordingServer;

beforeEach(async () => {
  server = await createRecordingServer();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
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
  parameters: z.object({ location: z.string().describe('City name') }),
  execute: async () => 'sunny',
};

function local(options: AiSdkLlmAdapterOptions = {}, baseURL = `${server.url}/v1`) {
  const provider = createOpenAICompatible({
    name: 'local',
    baseURL,
    apiKey: 'sk-local',
    includeUsage: true,
  });
  return new AiSdkLlmAdapter(provider('llama3.2:3b'), { retryDelayMs: 1, ...options });
}

describe('on @ai-sdk/openai-compatible', () => {
  it('sends every message kind, tools and options in the Chat Completions format', async () => {
    server.reply({ json: chatCompletion({ content: 'It is sunny in Paris.' }) });
    const reply = await local().complete(
      [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: 'Weather where this photo was taken?',
          images: ['data:image/png;base64,iVBORw0KGgo='],
        },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'get-weather', args: { location: 'Paris' } }],
        },
        { role: 'tool', content: 'Sunny, 21 °C', toolCallId: 'call_1', name: 'get-weather' },
      ],
      { tools: [weatherTool], toolChoice: 'required', temperature: 0.3, maxTokens: 200 },
    );

    const request = server.requests[0];
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-local');
    expect(request?.json).toMatchObject({
      model: 'llama3.2:3b',
      temperature: 0.3,
      max_tokens: 200,
      tool_choice: 'required',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather where this photo was taken?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          tool_calls: [wireToolCall('call_1', 'get-weather', '{"location":"Paris"}')],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21 °C' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get-weather',
            description: 'Current weather for a city',
            parameters: {
              type: 'object',
              properties: { location: { type: 'string', description: 'City name' } },
              required: ['location'],
            },
          },
        },
      ],
    });
    expect(reply).toEqual({
      role: 'assistant',
      content: 'It is sunny in Paris.',
      metadata: {
        provider: 'local.chat',
        model: 'llama3.2:3b',
        id: 'chatcmpl-8Kq2mT5vXw1bR9',
        finishReason: 'stop',
        rawFinishReason: 'stop',
        usage: { inputTokens: 57, outputTokens: 17 },
      },
    });
  });

  it('returns the tool calls of the reply', async () => {
    server.reply({
      json: chatCompletion(
        { tool_calls: [wireToolCall('call_Wq3vJ8', 'get-weather', '{"location":"Oslo"}')] },
        'tool_calls',
      ),
    });
    const reply = await local().complete([{ role: 'user', content: 'Oslo?' }], {
      tools: [weatherTool],
    });
    expect(reply.toolCalls).toEqual([
      { id: 'call_Wq3vJ8', name: 'get-weather', args: { location: 'Oslo' } },
    ]);
    expect(reply.metadata?.finishReason).toBe('tool-calls');
  });

  it('downloads an image URL the model does not take natively and sends it as data', async () => {
    server.reply(
      { headers: { 'content-type': 'image/gif' }, body: 'GIF89a' },
      { json: chatCompletion({ content: 'A tiny GIF.' }) },
    );
    const reply = await local().complete([
      { role: 'user', content: 'What is it?', images: [`${server.url}/images/pixel`] },
    ]);
    expect(reply.content).toBe('A tiny GIF.');
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /images/pixel',
      'POST /v1/chat/completions',
    ]);
    expect(server.requests[1]?.json.messages[0].content[1]).toEqual({
      type: 'image_url',
      image_url: { url: `data:image/gif;base64,${btoa('GIF89a')}` },
    });
  });

  it('maps HTTP 401 to LLM_AUTH without retrying', async () => {
    server.reply({
      status: 401,
      json: apiError('Invalid API key', 'invalid_request_error', 'invalid_api_key'),
    });
    const error = await failure(local().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({
      name: 'LlmError',
      code: 'LLM_AUTH',
      status: 401,
      retryable: false,
      provider: 'local.chat',
    });
    expect(error.message).toContain('Invalid API key');
    expect(server.requests).toHaveLength(1);
  });

  it('retries HTTP 429 as the server asks, then answers', async () => {
    server.reply(
      {
        status: 429,
        headers: { 'retry-after-ms': '1' },
        json: apiError('Slow down', 'rate_limit_error'),
      },
      { json: chatCompletion({ content: 'Here now.' }) },
    );
    const reply = await local({ retryDelayMs: 60_000 }).complete([{ role: 'user', content: 'Hi' }]);
    expect(reply.content).toBe('Here now.');
    expect(server.requests).toHaveLength(2);
  });

  it('gives up on HTTP 500 after maxRetries with LLM_SERVER', async () => {
    const broken = { status: 500, json: apiError('boom', 'server_error') };
    server.reply(broken, broken, broken);
    const error = await failure(
      local({ maxRetries: 2 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({ code: 'LLM_SERVER', status: 500, retryable: true });
    expect(server.requests).toHaveLength(3);
  });

  it('maps a body that is not JSON to LLM_INVALID_RESPONSE', async () => {
    server.reply({ headers: { 'content-type': 'application/json' }, body: '<html>gateway</html>' });
    const error = await failure(local().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({ code: 'LLM_INVALID_RESPONSE', retryable: false });
  });

  it('maps a server that cannot be reached to LLM_CONNECTION', async () => {
    const gone = `${server.url}/v1`;
    await server.close();
    const error = await failure(
      local({ maxRetries: 0 }, gone).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({ name: 'LlmError', code: 'LLM_CONNECTION', retryable: true });
  });

  it('streams text deltas and the final message from server-sent events', async () => {
    server.reply({
      events: completionStreamOf({ role: 'assistant', content: 'Sunny and mild today.' }),
    });
    const events = await collect(local().stream([{ role: 'user', content: 'Weather?' }]));
    expect(server.requests[0]?.json).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(
      events.flatMap((event) => (event.type === 'text-delta' ? [event.delta] : [])).join(''),
    ).toBe('Sunny and mild today.');
    expect(events.at(-1)).toMatchObject({
      type: 'finish',
      message: {
        role: 'assistant',
        content: 'Sunny and mild today.',
        metadata: { finishReason: 'stop', usage: { inputTokens: 41, outputTokens: 9 } },
      },
    });
  });

  it('streams a tool call whose arguments arrive in pieces', async () => {
    const reply: Message = {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_Hk7pR2', name: 'get-weather', args: { location: 'Bergen' } }],
    };
    server.reply({ events: completionStreamOf(reply) });
    const events = await collect(
      local().stream([{ role: 'user', content: 'Bergen?' }], { tools: [weatherTool] }),
    );
    expect(events.filter((event) => event.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCall: reply.toolCalls?.[0] },
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'finish',
      message: { toolCalls: reply.toolCalls },
    });
  });

  it.each([
    ['server_error', 'LLM_SERVER'],
    ['rate_limit_exceeded', 'LLM_RATE_LIMIT'],
  ])('throws an error event (%s) inside the stream as %s', async (type, code) => {
    server.reply({
      events: [
        ...firstTextChunks('Partial'),
        streamErrorEvent('The model failed mid-answer', type),
      ],
    });
    const seen: LlmStreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of local().stream([{ role: 'user', content: 'Hi' }]))
          seen.push(event);
      })(),
    );
    expect(seen).toEqual([{ type: 'text-delta', delta: 'Partial' }]);
    expect(error).toMatchObject({ name: 'LlmError', code, provider: 'local.chat' });
    expect(error.message).toContain('The model failed mid-answer');
  });

  it('aborts a stream that the server holds open', async () => {
    server.reply({ events: firstTextChunks('Once upon a time'), holdOpen: true });
    const controller = new AbortController();
    const seen: LlmStreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of local().stream([{ role: 'user', content: 'A story' }], {
          signal: controller.signal,
        })) {
          seen.push(event);
          controller.abort();
        }
      })(),
    );
    expect(seen).toEqual([{ type: 'text-delta', delta: 'Once upon a time' }]);
    expect(error).toMatchObject({ code: 'LLM_ABORTED', retryable: false });
  });
});

function gemini(options: AiSdkLlmAdapterOptions = {}, apiKey: string | null = 'AIza-test') {
  const google = createGoogleGenerativeAI({
    baseURL: `${server.url}/v1beta`,
    ...(apiKey === null ? {} : { apiKey }),
  });
  return new AiSdkLlmAdapter(google('gemini-3-flash'), { retryDelayMs: 1, ...options });
}

function geminiResponse(parts: unknown[], finishReason = 'STOP') {
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }],
    usageMetadata: { promptTokenCount: 31, candidatesTokenCount: 8, totalTokenCount: 39 },
    modelVersion: 'gemini-3-flash',
    responseId: 'gK3xaPq1',
  };
}

describe('on @ai-sdk/google', () => {
  it("sends Gemini's thought signature back with the tool call it came with", async () => {
    server.reply(
      {
        json: geminiResponse([
          {
            functionCall: { name: 'get-weather', args: { location: 'Oslo' } },
            thoughtSignature: 'c2lnLTE=',
          },
        ]),
      },
      { json: geminiResponse([{ text: 'Sunny in Oslo.' }]) },
    );
    const llm = gemini();
    const question: Message[] = [
      { role: 'system', content: 'You answer weather questions.' },
      { role: 'user', content: 'Weather in Oslo?' },
    ];
    const first = await llm.complete(question, { tools: [weatherTool] });
    const call = first.toolCalls?.[0];
    expect(call).toMatchObject({ name: 'get-weather', args: { location: 'Oslo' } });
    expect(first.metadata).toMatchObject({
      provider: 'google.generative-ai',
      usage: { inputTokens: 31, outputTokens: 8 },
      finishReason: 'tool-calls',
    });

    const second = await llm.complete(
      [
        ...question,
        first,
        { role: 'tool', content: 'Sunny', toolCallId: call?.id ?? '', name: 'get-weather' },
      ],
      { tools: [weatherTool] },
    );
    expect(second.content).toBe('Sunny in Oslo.');
    expect(server.requests[0]?.path).toBe('/v1beta/models/gemini-3-flash:generateContent');
    expect(server.requests[0]?.headers['x-goog-api-key']).toBe('AIza-test');
    const body = server.requests[1]?.json;
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You answer weather questions.' }] });
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [
        {
          functionCall: { id: call?.id, name: 'get-weather', args: { location: 'Oslo' } },
          thoughtSignature: 'c2lnLTE=',
        },
      ],
    });
    expect(body.contents[2].parts[0].functionResponse).toMatchObject({ name: 'get-weather' });
  });

  it('turns the missing GOOGLE_GENERATIVE_AI_API_KEY into a ConfigError naming it, sending nothing', async () => {
    vi.stubEnv('GOOGLE_GENERATIVE_AI_API_KEY', undefined);
    const error = await failure(gemini({}, null).complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({
      name: 'ConfigError',
      code: 'CONFIG_ERROR',
      details: { variable: 'GOOGLE_GENERATIVE_AI_API_KEY', provider: 'google.generative-ai' },
    });
    expect(error.message).toContain('set GOOGLE_GENERATIVE_AI_API_KEY');
    expect(server.requests).toHaveLength(0);
  });

  it('maps HTTP 429 RESOURCE_EXHAUSTED to a retryable LLM_RATE_LIMIT', async () => {
    const exhausted = {
      status: 429,
      json: {
        error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' },
      },
    };
    server.reply(exhausted, exhausted);
    const error = await failure(
      gemini({ maxRetries: 1 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({ code: 'LLM_RATE_LIMIT', status: 429, retryable: true });
    expect(error.message).toContain('Resource has been exhausted');
    expect(server.requests).toHaveLength(2);
  });
});
