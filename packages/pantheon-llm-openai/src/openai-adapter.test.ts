import type { LlmStreamEvent, Message, ToolSpec } from '@promethean-os/pantheon-core';
import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DEFAULT_OPENAI_MODEL, OpenAiAdapter, type OpenAiAdapterOptions } from './openai-adapter';
import {
  apiError,
  chatCompletion,
  firstTextChunk,
  textStream,
  toolCall,
  toolCallStream,
} from './openai-wire-fixtures.test-helper';

let server: RecordingServer;

beforeEach(async () => {
  server = await createRecordingServer();
});

afterEach(async () => {
  await server.close();
});

function adapter(options: OpenAiAdapterOptions = {}) {
  return new OpenAiAdapter({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, ...options });
}

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
  parameters: {
    type: 'object',
    properties: { location: { type: 'string', description: 'City name' } },
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

describe('OpenAiAdapter construction', () => {
  it('needs an API key and names the variable to set', () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    try {
      expect(() => new OpenAiAdapter()).toThrowError(
        expect.objectContaining({
          name: 'ConfigError',
          code: 'CONFIG_ERROR',
          message: expect.stringContaining('OPENAI_API_KEY'),
        }),
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reads OPENAI_API_KEY and OPENAI_BASE_URL from the environment', async () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-from-env');
    vi.stubEnv('OPENAI_BASE_URL', `${server.url}/v1`);
    try {
      server.reply({ json: chatCompletion({ content: 'Hi' }) });
      await new OpenAiAdapter().complete([{ role: 'user', content: 'Hello' }]);
      expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-from-env');
      expect(server.requests[0]?.json.model).toBe(DEFAULT_OPENAI_MODEL);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('uses an injected client without needing a key', async () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    try {
      const client = new OpenAI({ apiKey: 'sk-injected', baseURL: `${server.url}/v1` });
      server.reply({ json: chatCompletion({ content: 'Hi' }) });
      const llm = new OpenAiAdapter({ client });
      expect(llm.client).toBe(client);
      await llm.complete([{ role: 'user', content: 'Hello' }]);
      expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-injected');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('OpenAiAdapter.complete', () => {
  it('sends every message role and returns the reply with usage', async () => {
    server.reply({ json: chatCompletion({ content: 'Paris is the capital of France.' }) });
    const llm = adapter({ model: 'gpt-5.4', organization: 'org-pantheon' });

    const reply = await llm.complete(
      [
        { role: 'system', content: 'You are a geography tutor.' },
        { role: 'user', content: 'Capital of France?', name: 'alice' },
      ],
      { temperature: 0.3, maxTokens: 200 },
    );

    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers['openai-organization']).toBe('org-pantheon');
    expect(request?.json).toEqual({
      model: 'gpt-5.4',
      messages: [
        { role: 'system', content: 'You are a geography tutor.' },
        { role: 'user', content: 'Capital of France?', name: 'alice' },
      ],
      temperature: 0.3,
      // Not api.openai.com, so the field every OpenAI-compatible server understands.
      max_tokens: 200,
    });
    expect(reply).toEqual({
      role: 'assistant',
      content: 'Paris is the capital of France.',
      metadata: {
        provider: 'openai',
        id: 'chatcmpl-CX8mJ2kqP1b0ZlQy7rVw3nT5',
        model: 'gpt-5.4-mini-2026-03-17',
        finishReason: 'stop',
        usage: { inputTokens: 57, outputTokens: 17 },
      },
    });
  });

  it('sends maxTokens as max_completion_tokens when told to, and reasoning_effort when set', async () => {
    server.reply({ json: chatCompletion({ content: 'ok' }) });
    const llm = adapter({ maxTokensField: 'max_completion_tokens', reasoningEffort: 'none' });

    await llm.complete([{ role: 'user', content: 'Hi' }], { maxTokens: 64, model: 'gpt-5.6-luna' });

    expect(server.requests[0]?.json).toMatchObject({
      model: 'gpt-5.6-luna',
      max_completion_tokens: 64,
      reasoning_effort: 'none',
    });
    expect(server.requests[0]?.json.max_tokens).toBeUndefined();
  });

  it('sends maxTokens as max_completion_tokens to api.openai.com', async () => {
    const bodies: unknown[] = [];
    const urls: string[] = [];
    const client = new OpenAI({
      apiKey: 'sk-test',
      fetch: async (url, init) => {
        urls.push(String(url));
        bodies.push(JSON.parse(String(init?.body)));
        return Response.json(chatCompletion({ content: 'ok' }));
      },
    });
    expect(client.baseURL).toBe('https://api.openai.com/v1');

    const llm = new OpenAiAdapter({ client, api: 'chat' });
    expect(llm.api).toBe('chat');
    await llm.complete([{ role: 'user', content: 'Hi' }], { maxTokens: 32 });

    expect(urls[0]).toBe('https://api.openai.com/v1/chat/completions');
    expect(bodies[0]).toMatchObject({ max_completion_tokens: 32 });
    expect(bodies[0]).not.toHaveProperty('max_tokens');
  });

  it('offers tools from JSON Schema and zod specs, with the tool choice', async () => {
    server.reply({ json: chatCompletion({ content: 'Which city?' }) });

    await adapter().complete([{ role: 'user', content: 'Weather?' }], {
      tools: [weatherTool, timeTool],
      toolChoice: { name: 'get-weather' },
    });

    const body = server.requests[0]?.json;
    expect(body.tools).toEqual([
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
      {
        type: 'function',
        function: {
          name: 'get-time',
          description: 'Current time in a time zone',
          parameters: {
            type: 'object',
            properties: { zone: { type: 'string' } },
            required: ['zone'],
            additionalProperties: false,
          },
        },
      },
    ]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get-weather' } });
  });

  it('does not send a tool choice without tools', async () => {
    server.reply({ json: chatCompletion({ content: 'ok' }) });
    await adapter().complete([{ role: 'user', content: 'Hi' }], { toolChoice: 'required' });
    expect(server.requests[0]?.json.tool_choice).toBeUndefined();
    expect(server.requests[0]?.json.tools).toBeUndefined();
  });

  it('returns the tool calls the model makes, arguments parsed', async () => {
    server.reply({
      json: chatCompletion(
        {
          tool_calls: [
            toolCall('call_Wq3vJ8cT5mN2xL1', 'get-weather', '{"location":"Paris"}'),
            toolCall('call_Hk7pR2sD9fB4yE6', 'get-time', '{"zone":"Europe/Paris"}'),
          ],
        },
        'tool_calls',
      ),
    });

    const reply = await adapter().complete(
      [{ role: 'user', content: 'Weather and time in Paris?' }],
      {
        tools: [weatherTool, timeTool],
      },
    );

    expect(reply.content).toBe('');
    expect(reply.toolCalls).toEqual([
      { id: 'call_Wq3vJ8cT5mN2xL1', name: 'get-weather', args: { location: 'Paris' } },
      { id: 'call_Hk7pR2sD9fB4yE6', name: 'get-time', args: { zone: 'Europe/Paris' } },
    ]);
    expect(reply.metadata?.finishReason).toBe('tool_calls');
  });

  it('sends assistant tool calls and tool results back in the wire format', async () => {
    server.reply({ json: chatCompletion({ content: 'It is sunny in Paris.' }) });
    const transcript: Message[] = [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_Wq3vJ8cT5mN2xL1', name: 'get-weather', args: { location: 'Paris' } },
        ],
      },
      {
        role: 'tool',
        content: '{"sky":"sunny","celsius":21}',
        toolCallId: 'call_Wq3vJ8cT5mN2xL1',
        name: 'get-weather',
      },
    ];

    const reply = await adapter().complete(transcript, { tools: [weatherTool] });

    expect(server.requests[0]?.json.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [toolCall('call_Wq3vJ8cT5mN2xL1', 'get-weather', '{"location":"Paris"}')],
      },
      {
        role: 'tool',
        tool_call_id: 'call_Wq3vJ8cT5mN2xL1',
        content: '{"sky":"sunny","celsius":21}',
      },
    ]);
    expect(reply.content).toBe('It is sunny in Paris.');
  });

  it('sends images as image_url parts, URLs and data URLs alike', async () => {
    server.reply({ json: chatCompletion({ content: 'Two cats.' }) });
    const dataUrl =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==';

    await adapter().complete([
      {
        role: 'user',
        content: 'What is in these pictures?',
        images: ['https://example.com/cat.jpg', dataUrl],
      },
    ]);

    expect(server.requests[0]?.json.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these pictures?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'image_url', image_url: { url: dataUrl } },
        ],
      },
    ]);
  });

  it('refuses images on a non-user message before any request', async () => {
    const error = await failure(
      adapter().complete([{ role: 'assistant', content: 'see', images: ['https://x/y.png'] }]),
    );
    expect(error).toMatchObject({ name: 'LlmError', code: 'LLM_BAD_REQUEST', provider: 'openai' });
    expect(server.requests).toHaveLength(0);
  });

  it('rejects tool-call arguments that are not a JSON object as LLM_INVALID_RESPONSE', async () => {
    server.reply({
      json: chatCompletion(
        { tool_calls: [toolCall('call_1', 'get-weather', '{"location": "Par')] },
        'tool_calls',
      ),
    });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Weather?' }]));
    expect(error).toMatchObject({
      name: 'LlmError',
      code: 'LLM_INVALID_RESPONSE',
      provider: 'openai',
      retryable: false,
    });
  });
});

describe('OpenAiAdapter errors', () => {
  it('retries a 429 through the SDK and then succeeds', async () => {
    server.reply(
      {
        status: 429,
        headers: { 'retry-after-ms': '10' },
        json: apiError(
          'Rate limit reached for gpt-5.4-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.',
          'requests',
          'rate_limit_exceeded',
        ),
      },
      { json: chatCompletion({ content: 'Done.' }) },
    );

    const reply = await adapter().complete([{ role: 'user', content: 'Hi' }]);

    expect(reply.content).toBe('Done.');
    expect(server.requests).toHaveLength(2);
  });

  it('gives up on 429 after maxRetries with a retryable LLM_RATE_LIMIT', async () => {
    const limited = {
      status: 429,
      headers: { 'retry-after-ms': '10' },
      json: apiError('Rate limit reached', 'requests', 'rate_limit_exceeded'),
    };
    server.reply(limited, limited);
    const error = await failure(
      adapter({ maxRetries: 1 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({
      code: 'LLM_RATE_LIMIT',
      status: 429,
      retryable: true,
      provider: 'openai',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('maps 401 to LLM_AUTH without retrying', async () => {
    server.reply({
      status: 401,
      json: apiError(
        'Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      ),
    });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({
      name: 'LlmError',
      code: 'LLM_AUTH',
      status: 401,
      retryable: false,
      provider: 'openai',
    });
    expect(error.cause).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.details).toMatchObject({ providerCode: 'invalid_api_key' });
    expect(server.requests).toHaveLength(1);
  });

  it('maps 400 to LLM_BAD_REQUEST without retrying', async () => {
    server.reply({
      status: 400,
      json: apiError(
        "Invalid value for 'tool_choice': 'required' is only allowed when 'tools' are specified.",
        'invalid_request_error',
        null,
        'tool_choice',
      ),
    });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({ code: 'LLM_BAD_REQUEST', status: 400, retryable: false });
    expect(error.details).toMatchObject({ param: 'tool_choice', type: 'invalid_request_error' });
    expect(server.requests).toHaveLength(1);
  });

  it('maps a 500 that persists to a retryable LLM_SERVER after the SDK retries', async () => {
    const failing = {
      status: 500,
      headers: { 'retry-after-ms': '10' },
      json: apiError(
        'The server had an error while processing your request.',
        'server_error',
        null,
      ),
    };
    server.reply(failing, failing, failing);
    const error = await failure(
      adapter({ maxRetries: 2 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({ code: 'LLM_SERVER', status: 500, retryable: true });
    expect(server.requests).toHaveLength(3);
  });

  it('maps a body that is not JSON to LLM_INVALID_RESPONSE', async () => {
    server.reply({
      headers: { 'content-type': 'application/json' },
      body: '{"id":"chatcmpl-1","choices":[{"message":',
    });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({ code: 'LLM_INVALID_RESPONSE', provider: 'openai' });
  });

  it('maps JSON of the wrong shape to LLM_INVALID_RESPONSE', async () => {
    server.reply({ json: { id: 'chatcmpl-1', object: 'chat.completion', choices: [] } });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({ code: 'LLM_INVALID_RESPONSE' });
  });

  it('maps a timeout to LLM_TIMEOUT', async () => {
    server.reply({ hang: true });
    const error = await failure(
      adapter({ timeout: 50, maxRetries: 0 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT', retryable: true, provider: 'openai' });
  });

  it('maps an unreachable server to LLM_CONNECTION', async () => {
    const url = server.url;
    await server.close();
    server = await createRecordingServer();
    const error = await failure(
      new OpenAiAdapter({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 }).complete([
        { role: 'user', content: 'Hi' },
      ]),
    );
    expect(error).toMatchObject({ code: 'LLM_CONNECTION', retryable: true });
  });

  it('maps an abort by the caller to LLM_ABORTED', async () => {
    server.reply({ hang: true });
    const controller = new AbortController();
    const pending = adapter().complete([{ role: 'user', content: 'Hi' }], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const error = await failure(pending);
    expect(error).toMatchObject({ code: 'LLM_ABORTED', retryable: false, provider: 'openai' });
  });
});

describe('OpenAiAdapter.stream', () => {
  it('streams text deltas and finishes with the whole message and usage', async () => {
    server.reply({ events: textStream('The capital', ' of France', ' is Paris.') });

    const events = await collect(
      adapter().stream([{ role: 'user', content: 'Capital of France?' }], { maxTokens: 50 }),
    );

    expect(server.requests[0]?.json).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
    });
    expect(events).toEqual([
      { type: 'text-delta', delta: 'The capital' },
      { type: 'text-delta', delta: ' of France' },
      { type: 'text-delta', delta: ' is Paris.' },
      {
        type: 'finish',
        message: {
          role: 'assistant',
          content: 'The capital of France is Paris.',
          metadata: {
            provider: 'openai',
            id: 'chatcmpl-CX8mK7dNf2Wq9uHc4sLe1pR0',
            model: 'gpt-5.4-mini-2026-03-17',
            finishReason: 'stop',
            usage: { inputTokens: 41, outputTokens: 9 },
          },
        },
      },
    ]);
  });

  it('streams complete tool calls with parsed arguments', async () => {
    server.reply({ events: toolCallStream() });

    const events = await collect(
      adapter().stream([{ role: 'user', content: 'Weather and time in Paris?' }], {
        tools: [weatherTool, timeTool],
      }),
    );

    const calls = [
      { id: 'call_Wq3vJ8cT5mN2xL1', name: 'get-weather', args: { location: 'Paris' } },
      { id: 'call_Hk7pR2sD9fB4yE6', name: 'get-time', args: { zone: 'Europe/Paris' } },
    ];
    expect(events.slice(0, 2)).toEqual([
      { type: 'tool-call', toolCall: calls[0] },
      { type: 'tool-call', toolCall: calls[1] },
    ]);
    const finish = events[2];
    expect(finish?.type).toBe('finish');
    expect(finish?.type === 'finish' && finish.message.toolCalls).toEqual(calls);
    expect(events).toHaveLength(3);
  });

  it('maps an HTTP error before the stream starts', async () => {
    server.reply({
      status: 401,
      json: apiError('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key'),
    });
    const error = await failure(collect(adapter().stream([{ role: 'user', content: 'Hi' }])));
    expect(error).toMatchObject({ code: 'LLM_AUTH', status: 401 });
    expect(server.requests).toHaveLength(1);
  });

  it('maps an error event inside the stream to LLM_SERVER', async () => {
    server.reply({
      events: [
        ...firstTextChunk('Hel'),
        `data: ${JSON.stringify(apiError('The server had an error while processing your request.', 'server_error', null))}`,
      ],
    });
    const error = await failure(collect(adapter().stream([{ role: 'user', content: 'Hi' }])));
    expect(error).toMatchObject({ code: 'LLM_SERVER', provider: 'openai' });
  });

  it('maps a malformed chunk to LLM_INVALID_RESPONSE', async () => {
    vi.stubEnv('OPENAI_LOG', 'off');
    try {
      server.reply({
        events: [...firstTextChunk('Hel'), 'data: {"id":"chatcmpl-1","choices":[{"del'],
      });
      const error = await failure(collect(adapter().stream([{ role: 'user', content: 'Hi' }])));
      expect(error).toMatchObject({ code: 'LLM_INVALID_RESPONSE' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('stops with LLM_ABORTED when the caller aborts mid-stream', async () => {
    server.reply({ events: firstTextChunk('Once upon a time'), holdOpen: true });
    const controller = new AbortController();
    const received: LlmStreamEvent[] = [];

    const error = await failure(
      (async () => {
        for await (const event of adapter().stream([{ role: 'user', content: 'Tell a story' }], {
          signal: controller.signal,
        })) {
          received.push(event);
          controller.abort();
        }
      })(),
    );

    expect(received).toEqual([{ type: 'text-delta', delta: 'Once upon a time' }]);
    expect(error).toMatchObject({ code: 'LLM_ABORTED', provider: 'openai' });
  });

  it('closes the response when the consumer stops early', async () => {
    server.reply({ events: firstTextChunk('Once upon a time'), holdOpen: true });
    const llm = adapter();
    for await (const event of llm.stream([{ role: 'user', content: 'Tell a story' }])) {
      expect(event).toEqual({ type: 'text-delta', delta: 'Once upon a time' });
      break;
    }
    // The server's open response was cancelled; closing it must not hang.
    await server.close();
    server = await createRecordingServer();
  });
});

describe('OpenAiAdapter on Chat Completions: structured output and reasoning', () => {
  const Weather = z.object({ city: z.string(), celsius: z.number() });

  it('sends a strict json_schema response_format and returns the parsed output', async () => {
    server.reply({ json: chatCompletion({ content: '{"city":"Paris","celsius":21}' }) });
    const reply = await adapter().complete([{ role: 'user', content: 'Paris?' }], {
      output: { schema: Weather, name: 'weather' },
    });
    expect(server.requests[0]?.json.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'weather',
        strict: true,
        schema: {
          type: 'object',
          properties: { city: { type: 'string' }, celsius: { type: 'number' } },
          required: ['city', 'celsius'],
          additionalProperties: false,
        },
      },
    });
    expect(reply.output).toEqual({ city: 'Paris', celsius: 21 });
    expect(reply.content).toBe('{"city":"Paris","celsius":21}');
  });

  it('rejects a schema that allows additional properties in strict mode, before any request', async () => {
    const error = await failure(
      adapter().complete([{ role: 'user', content: 'Paris?' }], {
        output: {
          schema: {
            type: 'object',
            properties: { tags: { type: 'object', additionalProperties: { type: 'string' } } },
            required: ['tags'],
          },
        },
      }),
    );
    expect(error).toMatchObject({
      code: 'LLM_BAD_REQUEST',
      details: { path: '(root).properties.tags' },
    });
    expect(error.message).toContain('allows additional properties');
    expect(server.requests).toHaveLength(0);
  });

  it('reports cached and reasoning tokens when there are some', async () => {
    const completion = chatCompletion({ content: 'ok' });
    completion.usage.prompt_tokens_details.cached_tokens = 1_024;
    completion.usage.completion_tokens_details.reasoning_tokens = 12;
    server.reply({ json: completion });
    const reply = await adapter().complete([{ role: 'user', content: 'Hi' }]);
    expect(reply.metadata?.usage).toEqual({
      inputTokens: 57,
      outputTokens: 17,
      cacheReadTokens: 1_024,
      reasoningTokens: 12,
    });
  });

  it('surfaces the reasoning_content of compatible servers as reasoning, never as content', async () => {
    server.reply(
      { json: chatCompletion({ content: 'Yes.', reasoning_content: 'Simple question.' }) },
      {
        events: [
          'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"deepseek-r2","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":"Simple "},"finish_reason":null}]}',
          'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"deepseek-r2","choices":[{"index":0,"delta":{"reasoning_content":"question."},"finish_reason":null}]}',
          'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"deepseek-r2","choices":[{"index":0,"delta":{"content":"Yes."},"finish_reason":null}]}',
          'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"deepseek-r2","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
          'data: [DONE]',
        ],
      },
    );
    const reply = await adapter().complete([{ role: 'user', content: 'Is it?' }]);
    expect(reply.content).toBe('Yes.');
    expect(reply.metadata?.reasoning).toBe('Simple question.');

    const events = await collect(adapter().stream([{ role: 'user', content: 'Is it?' }]));
    expect(events.slice(0, 3)).toEqual([
      { type: 'reasoning-delta', delta: 'Simple ' },
      { type: 'reasoning-delta', delta: 'question.' },
      { type: 'text-delta', delta: 'Yes.' },
    ]);
    const last = events.at(-1);
    expect(last?.type === 'finish' && last.message.content).toBe('Yes.');
    expect(last?.type === 'finish' && last.message.metadata?.reasoning).toBe('Simple question.');
  });
});
