import Anthropic from '@anthropic-ai/sdk';
import type { LlmStreamEvent, Message, ToolSpec } from '@promethean-os/pantheon-core';
import { createRecordingServer, type RecordingServer } from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  ClaudeAdapter,
  type ClaudeAdapterOptions,
  DEFAULT_CLAUDE_MAX_TOKENS,
  DEFAULT_CLAUDE_MODEL,
} from './claude-adapter';
import {
  apiError,
  claudeMessage,
  firstTextEvents,
  overloadedMidStream,
  text,
  textEvents,
  thinking,
  toolUse,
  toolUseEvents,
} from './claude-wire-fixtures.test-helper';

let server: RecordingServer;

beforeEach(async () => {
  server = await createRecordingServer();
});

afterEach(async () => {
  await server.close();
});

function adapter(options: ClaudeAdapterOptions = {}) {
  return new ClaudeAdapter({ apiKey: 'sk-ant-test', baseURL: server.url, ...options });
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

const pixel =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==';

describe('ClaudeAdapter construction', () => {
  it('needs an API key and names the variable to set', () => {
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    try {
      expect(() => new ClaudeAdapter()).toThrowError(
        expect.objectContaining({
          name: 'ConfigError',
          message: expect.stringContaining('ANTHROPIC_API_KEY'),
        }),
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reads ANTHROPIC_API_KEY from the environment and uses the defaults', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-from-env');
    try {
      server.reply({ json: claudeMessage([text('Hi')]) });
      await new ClaudeAdapter({ baseURL: server.url }).complete([
        { role: 'user', content: 'Hello' },
      ]);
      const request = server.requests[0];
      // SDK 1.x sends the key as a bearer token.
      expect(request?.headers.authorization).toBe('Bearer sk-ant-from-env');
      expect(request?.headers['anthropic-version']).toBe('2026-10-21');
      expect(request?.json).toMatchObject({
        model: DEFAULT_CLAUDE_MODEL,
        max_tokens: DEFAULT_CLAUDE_MAX_TOKENS,
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('uses an injected client without needing a key', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    try {
      const client = new Anthropic({ apiKey: 'sk-ant-injected', baseURL: server.url });
      server.reply({ json: claudeMessage([text('Hi')]) });
      const llm = new ClaudeAdapter({ client });
      expect(llm.client).toBe(client);
      await llm.complete([{ role: 'user', content: 'Hello' }]);
      expect(server.requests).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('rejects a maxTokens that is not a positive integer', () => {
    expect(() => adapter({ maxTokens: 0 })).toThrowError(
      expect.objectContaining({ name: 'ConfigError' }),
    );
  });
});

describe('ClaudeAdapter.complete', () => {
  it('joins system messages into the system field and returns the reply with usage', async () => {
    server.reply({ json: claudeMessage([thinking(), text('Paris.')]) });

    const reply = await adapter({ model: 'claude-haiku-5-5', maxTokens: 1024 }).complete(
      [
        { role: 'system', content: 'You are a geography tutor.' },
        { role: 'system', content: 'Answer in one word.' },
        { role: 'user', content: 'Capital of France?', name: 'alice' },
      ],
      { maxTokens: 300 },
    );

    const request = server.requests[0];
    expect(request?.path).toBe('/v1/messages');
    expect(request?.json).toEqual({
      model: 'claude-haiku-5-5',
      max_tokens: 300,
      system: 'You are a geography tutor.\n\nAnswer in one word.',
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    expect(reply).toEqual({
      role: 'assistant',
      content: 'Paris.',
      metadata: {
        provider: 'anthropic',
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        model: 'claude-sonnet-5-5',
        stopReason: 'end_turn',
        usage: { inputTokens: 600, outputTokens: 91, cacheReadTokens: 128 },
        anthropicContent: [thinking(), text('Paris.')],
      },
    });
  });

  it('never sends temperature, and says so in metadata.droppedOptions', async () => {
    server.reply({ json: claudeMessage([text('ok')]) });

    const reply = await adapter().complete([{ role: 'user', content: 'Hi' }], { temperature: 0.2 });

    expect(server.requests[0]?.json).not.toHaveProperty('temperature');
    expect(reply.metadata?.droppedOptions).toEqual(['temperature']);
  });

  it('offers tools from JSON Schema and zod specs', async () => {
    server.reply({ json: claudeMessage([text('Which city?')]) });

    await adapter({ model: 'claude-haiku-4-5' }).complete([{ role: 'user', content: 'Weather?' }], {
      tools: [weatherTool, timeTool],
      toolChoice: 'required',
    });

    const body = server.requests[0]?.json;
    expect(body.tools).toEqual([
      {
        name: 'get-weather',
        description: 'Current weather for a city',
        input_schema: {
          type: 'object',
          properties: { location: { type: 'string', description: 'City name' } },
          required: ['location'],
        },
      },
      {
        name: 'get-time',
        description: 'Current time in a time zone',
        input_schema: {
          type: 'object',
          properties: { zone: { type: 'string' } },
          required: ['zone'],
          additionalProperties: false,
        },
      },
    ]);
    expect(body.tool_choice).toEqual({ type: 'any' });
  });

  it('drops a forced tool choice on models that reject it, keeping auto and none', async () => {
    const reply = () => ({ json: claudeMessage([text('ok')]) });
    server.reply(reply(), reply(), reply());
    const llm = adapter({ model: 'claude-sonnet-5-5' });
    const ask = [{ role: 'user' as const, content: 'Weather?' }];

    const forced = await llm.complete(ask, {
      tools: [weatherTool],
      toolChoice: { name: 'get-weather' },
    });
    await llm.complete(ask, { tools: [weatherTool], toolChoice: 'none' });
    await llm.complete(ask, {
      tools: [weatherTool],
      toolChoice: { name: 'get-weather' },
      model: 'claude-opus-4-8',
    });

    expect(server.requests[0]?.json).not.toHaveProperty('tool_choice');
    expect(forced.metadata?.droppedOptions).toEqual(['toolChoice']);
    expect(server.requests[1]?.json.tool_choice).toEqual({ type: 'none' });
    expect(server.requests[2]?.json.tool_choice).toEqual({ type: 'tool', name: 'get-weather' });
  });

  it('returns the tool calls the model makes', async () => {
    server.reply({
      json: claudeMessage(
        [
          thinking(),
          text('Let me check.'),
          toolUse('toolu_01A09q90qw90lq917835lq9', 'get-weather', { location: 'Paris' }),
          toolUse('toolu_01BmWq4TnHf6FzZ2LrRk8vXc', 'get-time', { zone: 'Europe/Paris' }),
        ],
        'tool_use',
      ),
    });

    const reply = await adapter().complete(
      [{ role: 'user', content: 'Weather and time in Paris?' }],
      {
        tools: [weatherTool, timeTool],
      },
    );

    expect(reply.content).toBe('Let me check.');
    expect(reply.toolCalls).toEqual([
      { id: 'toolu_01A09q90qw90lq917835lq9', name: 'get-weather', args: { location: 'Paris' } },
      { id: 'toolu_01BmWq4TnHf6FzZ2LrRk8vXc', name: 'get-time', args: { zone: 'Europe/Paris' } },
    ]);
    expect(reply.metadata?.stopReason).toBe('tool_use');
  });

  it('round-trips tool results: replayed thinking, tool_result blocks and merged user turns', async () => {
    const toolTurn = claudeMessage(
      [thinking(), toolUse('toolu_01A09q90qw90lq917835lq9', 'get-weather', { location: 'Paris' })],
      'tool_use',
    );
    server.reply({ json: toolTurn }, { json: claudeMessage([text('Sunny, 21 °C.')]) });
    const llm = adapter();
    const transcript: Message[] = [{ role: 'user', content: 'Weather in Paris?' }];

    const first = await llm.complete(transcript, { tools: [weatherTool] });
    transcript.push(
      first,
      {
        role: 'tool',
        content: '{"sky":"sunny","celsius":21}',
        toolCallId: 'toolu_01A09q90qw90lq917835lq9',
        name: 'get-weather',
      },
      { role: 'user', content: 'And in Celsius please.' },
    );
    const second = await llm.complete(transcript, { tools: [weatherTool] });

    expect(server.requests[1]?.json.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: [
          thinking(),
          toolUse('toolu_01A09q90qw90lq917835lq9', 'get-weather', { location: 'Paris' }),
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01A09q90qw90lq917835lq9',
            content: '{"sky":"sunny","celsius":21}',
          },
          { type: 'text', text: 'And in Celsius please.' },
        ],
      },
    ]);
    expect(second.content).toBe('Sunny, 21 °C.');
  });

  it('sends tool calls written by hand as tool_use blocks and failed results with is_error', async () => {
    server.reply({ json: claudeMessage([text('The lookup failed.')]) });

    await adapter().complete([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: 'Looking it up.',
        toolCalls: [{ id: 'toolu_1', name: 'get-weather', args: { location: 'Oslo' } }],
      },
      {
        role: 'tool',
        content: 'Error (TOOL_TIMEOUT): timed out',
        toolCallId: 'toolu_1',
        metadata: { isError: true },
      },
    ]);

    expect(server.requests[0]?.json.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking it up.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get-weather', input: { location: 'Oslo' } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_1',
            content: 'Error (TOOL_TIMEOUT): timed out',
            is_error: true,
          },
        ],
      },
    ]);
  });

  it('sends images as url and base64 sources', async () => {
    server.reply({ json: claudeMessage([text('A cat and a pixel.')]) });

    await adapter().complete([
      {
        role: 'user',
        content: 'What is in these pictures?',
        images: ['https://example.com/cat.jpg', `data:image/png;base64,${pixel}`],
      },
    ]);

    expect(server.requests[0]?.json.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these pictures?' },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pixel } },
        ],
      },
    ]);
  });

  it('refuses an image type Claude does not take, before any request', async () => {
    const error = await failure(
      adapter().complete([
        { role: 'user', content: 'See', images: ['data:image/bmp;base64,Qk0='] },
      ]),
    );
    expect(error).toMatchObject({ code: 'LLM_BAD_REQUEST', provider: 'anthropic' });
    expect(server.requests).toHaveLength(0);
  });

  it('rejects tool input that is not a JSON object as LLM_INVALID_RESPONSE', async () => {
    server.reply({
      json: claudeMessage([toolUse('toolu_1', 'get-weather', 'Paris')], 'tool_use'),
    });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Weather?' }]));
    expect(error).toMatchObject({ code: 'LLM_INVALID_RESPONSE', provider: 'anthropic' });
  });
});

describe('ClaudeAdapter errors', () => {
  it('retries a 429 through the SDK and then succeeds', async () => {
    server.reply(
      {
        status: 429,
        headers: { 'retry-after-ms': '10' },
        json: apiError(
          'rate_limit_error',
          'Number of request tokens has exceeded your per-minute rate limit',
        ),
      },
      { json: claudeMessage([text('Done.')]) },
    );

    const reply = await adapter().complete([{ role: 'user', content: 'Hi' }]);

    expect(reply.content).toBe('Done.');
    expect(server.requests).toHaveLength(2);
  });

  it('maps 401 to LLM_AUTH without retrying', async () => {
    server.reply({
      status: 401,
      headers: { 'request-id': 'req_011CSHoEeqs5C35K2UUqR7Fy' },
      json: apiError('authentication_error', 'invalid x-api-key'),
    });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({
      name: 'LlmError',
      code: 'LLM_AUTH',
      status: 401,
      retryable: false,
      provider: 'anthropic',
    });
    expect(error.cause).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.details).toMatchObject({
      type: 'authentication_error',
      requestId: 'req_011CSHoEeqs5C35K2UUqR7Fy',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('maps 400 to LLM_BAD_REQUEST without retrying', async () => {
    server.reply({
      status: 400,
      json: apiError('invalid_request_error', 'messages: text content blocks must be non-empty'),
    });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({ code: 'LLM_BAD_REQUEST', status: 400, retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('maps a 529 overload that persists to a retryable LLM_SERVER after the SDK retries', async () => {
    const overloaded = {
      status: 529,
      headers: { 'retry-after-ms': '10' },
      json: apiError('overloaded_error', 'Overloaded'),
    };
    server.reply(overloaded, overloaded);
    const error = await failure(
      adapter({ maxRetries: 1 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({ code: 'LLM_SERVER', status: 529, retryable: true });
    expect(server.requests).toHaveLength(2);
  });

  it('maps a 500 to LLM_SERVER', async () => {
    server.reply({ status: 500, json: apiError('api_error', 'Internal server error') });
    const error = await failure(
      adapter({ maxRetries: 0 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({ code: 'LLM_SERVER', status: 500, retryable: true });
  });

  it('maps a body that is not JSON to LLM_INVALID_RESPONSE', async () => {
    server.reply({
      headers: { 'content-type': 'application/json' },
      body: '{"id":"msg_1","content":[',
    });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({ code: 'LLM_INVALID_RESPONSE', provider: 'anthropic' });
  });

  it('maps JSON of the wrong shape to LLM_INVALID_RESPONSE', async () => {
    server.reply({ json: { id: 'msg_1', type: 'message' } });
    const error = await failure(adapter().complete([{ role: 'user', content: 'Hi' }]));
    expect(error).toMatchObject({ code: 'LLM_INVALID_RESPONSE' });
  });

  it('maps a timeout to LLM_TIMEOUT', async () => {
    server.reply({ hang: true });
    const error = await failure(
      adapter({ timeout: 50, maxRetries: 0 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT', retryable: true, provider: 'anthropic' });
  });

  it('maps an abort by the caller to LLM_ABORTED', async () => {
    server.reply({ hang: true });
    const controller = new AbortController();
    const pending = adapter().complete([{ role: 'user', content: 'Hi' }], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const error = await failure(pending);
    expect(error).toMatchObject({ code: 'LLM_ABORTED', retryable: false, provider: 'anthropic' });
  });
});

describe('ClaudeAdapter.stream', () => {
  it('streams text deltas and finishes with the whole message and usage', async () => {
    server.reply({ events: textEvents('The capital', ' of France', ' is Paris.') });

    const events = await collect(
      adapter().stream([{ role: 'user', content: 'Capital of France?' }]),
    );

    expect(server.requests[0]?.json).toMatchObject({ stream: true });
    expect(events.slice(0, 3)).toEqual([
      { type: 'text-delta', delta: 'The capital' },
      { type: 'text-delta', delta: ' of France' },
      { type: 'text-delta', delta: ' is Paris.' },
    ]);
    expect(events[3]).toEqual({
      type: 'finish',
      message: {
        role: 'assistant',
        content: 'The capital of France is Paris.',
        metadata: {
          provider: 'anthropic',
          id: 'msg_01K8v3pDh7cQ2XwLzR9sYtUe',
          model: 'claude-sonnet-5-5',
          stopReason: 'end_turn',
          usage: { inputTokens: 25, outputTokens: 15 },
          anthropicContent: [text('The capital of France is Paris.')],
        },
      },
    });
    expect(events).toHaveLength(4);
  });

  it('streams complete tool calls and keeps the thinking block for the next turn', async () => {
    server.reply({ events: toolUseEvents() });

    const events = await collect(
      adapter().stream([{ role: 'user', content: 'Weather in Paris?' }], { tools: [weatherTool] }),
    );

    const call = {
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get-weather',
      args: { location: 'Paris' },
    };
    expect(events.slice(0, 2)).toEqual([
      { type: 'text-delta', delta: 'Checking the weather.' },
      { type: 'tool-call', toolCall: call },
    ]);
    const finish = events[2];
    if (finish?.type !== 'finish') throw new Error('expected finish');
    expect(finish.message.toolCalls).toEqual([call]);
    expect(finish.message.metadata?.usage).toEqual({ inputTokens: 25, outputTokens: 89 });
    expect(finish.message.metadata?.anthropicContent).toEqual([
      thinking(),
      text('Checking the weather.'),
      toolUse('toolu_01T1x1fJ34qAmk2tNTrN7Up6', 'get-weather', { location: 'Paris' }),
    ]);
  });

  it('maps an HTTP error before the stream starts', async () => {
    server.reply({ status: 401, json: apiError('authentication_error', 'invalid x-api-key') });
    const error = await failure(collect(adapter().stream([{ role: 'user', content: 'Hi' }])));
    expect(error).toMatchObject({ code: 'LLM_AUTH', status: 401 });
    expect(server.requests).toHaveLength(1);
  });

  it('maps an overloaded error event inside the stream to a retryable LLM_SERVER', async () => {
    server.reply({ events: overloadedMidStream() });
    const error = await failure(collect(adapter().stream([{ role: 'user', content: 'Hi' }])));
    expect(error).toMatchObject({
      code: 'LLM_SERVER',
      retryable: true,
      provider: 'anthropic',
      details: { type: 'overloaded_error' },
    });
  });

  it('maps a malformed event to LLM_INVALID_RESPONSE', async () => {
    vi.stubEnv('ANTHROPIC_LOG', 'off');
    try {
      server.reply({
        events: [...firstTextEvents('Hel'), 'event: content_block_delta\ndata: {"type":"content_'],
      });
      const error = await failure(collect(adapter().stream([{ role: 'user', content: 'Hi' }])));
      expect(error).toMatchObject({ code: 'LLM_INVALID_RESPONSE' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('stops with LLM_ABORTED when the caller aborts mid-stream', async () => {
    server.reply({ events: firstTextEvents('Once upon a time'), holdOpen: true });
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
    expect(error).toMatchObject({ code: 'LLM_ABORTED', provider: 'anthropic' });
  });
});
