import {
  completeOutput,
  type LlmStreamEvent,
  type Message,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import {
  collectStream,
  createRecordingServer,
  type RecordingServer,
} from '@promethean-os/pantheon-test';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { OpenAiAdapter, type OpenAiAdapterOptions } from './openai-adapter';
import {
  functionCallItem,
  messageItem,
  RESPONSE_ID,
  reasoningItem,
  refusalItem,
  responseBody,
  responseStream,
  responsesApiError,
} from './openai-responses-fixtures.test-helper';

let server: RecordingServer;

beforeEach(async () => {
  server = await createRecordingServer();
});

afterEach(async () => {
  await server.close();
});

function adapter(options: OpenAiAdapterOptions = {}) {
  return new OpenAiAdapter({
    apiKey: 'sk-test',
    baseURL: `${server.url}/v1`,
    api: 'responses',
    ...options,
  });
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, any>;
  }
  throw new Error('Expected the call to fail');
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

const Weather = z.object({
  city: z.string(),
  celsius: z.number(),
  conditions: z.enum(['sunny', 'cloudy', 'rain']),
});

describe('OpenAiAdapter on the Responses API', () => {
  it('is the default on api.openai.com; Chat Completions stays the default elsewhere', async () => {
    const urls: string[] = [];
    const client = new OpenAI({
      apiKey: 'sk-test',
      fetch: async (url) => {
        urls.push(String(url));
        return Response.json(responseBody([messageItem('ok')]));
      },
    });
    const onOpenAi = new OpenAiAdapter({ client });
    expect(onOpenAi.api).toBe('responses');
    expect((await onOpenAi.complete([{ role: 'user', content: 'Hi' }])).content).toBe('ok');
    expect(urls).toEqual(['https://api.openai.com/v1/responses']);

    const local = new OpenAiAdapter({ apiKey: 'ollama', baseURL: `${server.url}/v1` });
    expect(local.api).toBe('chat');
    expect(() => new OpenAiAdapter({ client, api: 'assistants' as never })).toThrowError(
      /api must be 'responses' or 'chat'/,
    );
  });

  it('sends system messages as instructions, the rest as input items, and maps the reply', async () => {
    server.reply({
      json: responseBody([messageItem('Paris is the capital of France.')], {
        usage: {
          input_tokens: 2_310,
          input_tokens_details: { cached_tokens: 2_048 },
          output_tokens: 96,
          output_tokens_details: { reasoning_tokens: 64 },
          total_tokens: 2_406,
        },
      }),
    });

    const reply = await adapter({ model: 'gpt-5.4', reasoningEffort: 'low' }).complete(
      [
        { role: 'system', content: 'You are a geography tutor.' },
        { role: 'system', content: 'Answer in one sentence.' },
        { role: 'user', content: 'Capital of France?', name: 'alice' },
        { role: 'assistant', content: 'Paris.' },
        { role: 'system', content: 'The user is a teacher.' },
        {
          role: 'user',
          content: 'And this flag?',
          images: ['https://example.com/flag.png', 'data:image/png;base64,iVBORw0KGgo='],
        },
      ],
      { temperature: 0.3, maxTokens: 200 },
    );

    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/responses');
    expect(request?.json).toEqual({
      model: 'gpt-5.4',
      instructions: 'You are a geography tutor.\n\nAnswer in one sentence.',
      input: [
        { role: 'user', content: 'Capital of France?' },
        { role: 'assistant', content: 'Paris.' },
        { role: 'system', content: 'The user is a teacher.' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'And this flag?' },
            { type: 'input_image', image_url: 'https://example.com/flag.png', detail: 'auto' },
            {
              type: 'input_image',
              image_url: 'data:image/png;base64,iVBORw0KGgo=',
              detail: 'auto',
            },
          ],
        },
      ],
      store: false,
      include: ['reasoning.encrypted_content'],
      temperature: 0.3,
      max_output_tokens: 200,
      reasoning: { effort: 'low' },
    });
    expect(reply).toEqual({
      role: 'assistant',
      content: 'Paris is the capital of France.',
      metadata: {
        provider: 'openai',
        id: RESPONSE_ID,
        model: 'gpt-5.4-mini-2026-03-17',
        finishReason: 'stop',
        usage: {
          inputTokens: 2_310,
          outputTokens: 96,
          cacheReadTokens: 2_048,
          reasoningTokens: 64,
        },
      },
    });
  });

  it('offers tools, returns function calls, and sends calls, results and reasoning back', async () => {
    const reasoning = reasoningItem(
      ['**Checking the weather**\n\nThe user wants Paris weather; I should call get-weather.'],
      'gAAAAABo8cKp3xQ2vExampleEncryptedReasoning==',
    );
    server.reply(
      {
        json: responseBody([
          reasoning,
          functionCallItem('call_Wq3vJ8cT5mN2xL1', 'get-weather', '{"location":"Paris"}'),
        ]),
      },
      { json: responseBody([messageItem('It is sunny in Paris.')]) },
    );
    const llm = adapter({ reasoningSummary: 'auto' });

    const first = await llm.complete([{ role: 'user', content: 'Weather in Paris?' }], {
      tools: [weatherTool],
      toolChoice: { name: 'get-weather' },
    });
    expect(server.requests[0]?.json).toMatchObject({
      tools: [
        {
          type: 'function',
          name: 'get-weather',
          description: 'Current weather for a city',
          parameters: weatherTool.parameters,
          strict: false,
        },
      ],
      tool_choice: { type: 'function', name: 'get-weather' },
      reasoning: { summary: 'auto' },
    });
    expect(first.toolCalls).toEqual([
      { id: 'call_Wq3vJ8cT5mN2xL1', name: 'get-weather', args: { location: 'Paris' } },
    ]);
    expect(first.metadata).toMatchObject({
      finishReason: 'tool_calls',
      reasoning:
        '**Checking the weather**\n\nThe user wants Paris weather; I should call get-weather.',
      openaiReasoning: [reasoning],
    });

    const second = await llm.complete(
      [
        { role: 'user', content: 'Weather in Paris?' },
        first,
        {
          role: 'tool',
          content: '{"celsius":21}',
          toolCallId: 'call_Wq3vJ8cT5mN2xL1',
          name: 'get-weather',
        },
      ],
      { tools: [weatherTool] },
    );
    expect(server.requests[1]?.json.input).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      reasoning,
      {
        type: 'function_call',
        call_id: 'call_Wq3vJ8cT5mN2xL1',
        name: 'get-weather',
        arguments: '{"location":"Paris"}',
      },
      { type: 'function_call_output', call_id: 'call_Wq3vJ8cT5mN2xL1', output: '{"celsius":21}' },
    ]);
    expect(second.content).toBe('It is sunny in Paris.');
  });

  it('asks for strict structured output in text.format and returns the parsed output', async () => {
    server.reply({
      json: responseBody([messageItem('{"city":"Paris","celsius":21,"conditions":"sunny"}')]),
    });

    const reply = await completeOutput(adapter(), [{ role: 'user', content: 'Paris?' }], {
      output: { schema: Weather, name: 'weather', description: 'Current weather' },
    });

    expectTypeOf(reply.output.conditions).toEqualTypeOf<'sunny' | 'cloudy' | 'rain'>();
    expect(reply.output).toEqual({ city: 'Paris', celsius: 21, conditions: 'sunny' });
    expect(server.requests[0]?.json.text).toEqual({
      format: {
        type: 'json_schema',
        name: 'weather',
        description: 'Current weather',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            city: { type: 'string' },
            celsius: { type: 'number' },
            conditions: { type: 'string', enum: ['sunny', 'cloudy', 'rain'] },
          },
          required: ['city', 'celsius', 'conditions'],
          // Added for strict mode.
          additionalProperties: false,
        },
      },
    });
  });

  it('refuses a schema strict mode cannot take before any request, and sends it with strict: false', async () => {
    const schema = z.object({ city: z.string(), note: z.string().optional() });
    const error = await failure(
      adapter().complete([{ role: 'user', content: 'Paris?' }], { output: { schema } }),
    );
    expect(error).toMatchObject({ code: 'LLM_BAD_REQUEST', provider: 'openai', retryable: false });
    expect(error.message).toContain('"note" are not required');
    expect(error.message).toContain('output.strict: false');
    expect(server.requests).toHaveLength(0);

    server.reply({ json: responseBody([messageItem('{"city":"Paris"}')]) });
    const reply = await adapter().complete([{ role: 'user', content: 'Paris?' }], {
      output: { schema, strict: false },
    });
    expect(reply.output).toEqual({ city: 'Paris' });
    expect(server.requests[0]?.json.text.format).toMatchObject({
      strict: false,
      schema: { required: ['city'] },
    });
    expect(server.requests[0]?.json.text.format.schema).not.toHaveProperty('additionalProperties');
  });

  it('rejects an answer that does not match, and a refusal, with LLM_OUTPUT_INVALID', async () => {
    server.reply(
      { json: responseBody([messageItem('{"city":"Paris","celsius":"warm"}')]) },
      { json: responseBody([refusalItem("I'm sorry, I can't help with that.")]) },
    );
    const mismatch = await failure(
      adapter().complete([{ role: 'user', content: 'Paris?' }], { output: { schema: Weather } }),
    );
    expect(mismatch).toMatchObject({
      code: 'LLM_OUTPUT_INVALID',
      provider: 'openai',
      details: { content: '{"city":"Paris","celsius":"warm"}' },
    });
    expect(mismatch.details.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'celsius',
      'conditions',
    ]);
    const refused = await failure(
      adapter().complete([{ role: 'user', content: 'Paris?' }], { output: { schema: Weather } }),
    );
    expect(refused.details.issues).toEqual([
      { path: '(root)', message: "the model refused: I'm sorry, I can't help with that." },
    ]);
  });

  it('does not ask models without reasoning for encrypted reasoning, which they reject', async () => {
    server.reply(
      { json: responseBody([messageItem('a')]) },
      { json: responseBody([messageItem('b')]) },
      { json: responseBody([messageItem('c')]) },
    );
    await adapter({ model: 'gpt-4.1-mini' }).complete([{ role: 'user', content: 'Hi' }]);
    await adapter({ model: 'gpt-4.1-mini', encryptedReasoning: true }).complete([
      { role: 'user', content: 'Hi' },
    ]);
    await adapter({ store: true }).complete([{ role: 'user', content: 'Hi' }]);
    expect(server.requests[0]?.json).not.toHaveProperty('include');
    expect(server.requests[0]?.json.store).toBe(false);
    expect(server.requests[1]?.json.include).toEqual(['reasoning.encrypted_content']);
    expect(server.requests[2]?.json).not.toHaveProperty('include');
    expect(server.requests[2]?.json.store).toBe(true);
  });

  it('reports an incomplete response with its reason', async () => {
    server.reply({
      json: responseBody([messageItem('The answer is')], {
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
      }),
    });
    const reply = await adapter().complete([{ role: 'user', content: 'Long story?' }]);
    expect(reply.content).toBe('The answer is');
    expect(reply.metadata?.finishReason).toBe('max_output_tokens');
  });
});

describe('OpenAiAdapter on the Responses API: errors', () => {
  it('maps 401, 400 and a 500 that persists as Chat Completions does', async () => {
    server.reply({
      status: 401,
      json: responsesApiError(
        'Incorrect API key provided: sk-test.',
        'invalid_request_error',
        'invalid_api_key',
      ),
    });
    expect(await failure(adapter().complete([{ role: 'user', content: 'Hi' }]))).toMatchObject({
      name: 'LlmError',
      code: 'LLM_AUTH',
      status: 401,
      retryable: false,
    });

    server.reply({
      status: 400,
      json: responsesApiError(
        "Invalid schema for response_format 'weather': In context=(), 'required' is required to be supplied",
        'invalid_request_error',
        'invalid_json_schema',
        'text.format.schema',
      ),
    });
    expect(await failure(adapter().complete([{ role: 'user', content: 'Hi' }]))).toMatchObject({
      code: 'LLM_BAD_REQUEST',
      status: 400,
      details: { providerCode: 'invalid_json_schema', param: 'text.format.schema' },
    });

    server.reply(
      { status: 500, json: responsesApiError('The server had an error', 'server_error', null) },
      { status: 500, json: responsesApiError('The server had an error', 'server_error', null) },
    );
    const serverError = await failure(
      adapter({ maxRetries: 1 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(serverError).toMatchObject({ code: 'LLM_SERVER', status: 500, retryable: true });
    expect(server.requests).toHaveLength(4);
  });

  it('maps a 429 to a retryable LLM_RATE_LIMIT', async () => {
    server.reply({
      status: 429,
      headers: { 'retry-after-ms': '0' },
      json: responsesApiError(
        'Rate limit reached for gpt-5.4-mini',
        'requests',
        'rate_limit_exceeded',
      ),
    });
    const error = await failure(
      adapter({ maxRetries: 0 }).complete([{ role: 'user', content: 'Hi' }]),
    );
    expect(error).toMatchObject({ code: 'LLM_RATE_LIMIT', status: 429, retryable: true });
  });

  it('maps a body that is not JSON, and a response without output, to LLM_INVALID_RESPONSE', async () => {
    server.reply(
      { headers: { 'content-type': 'application/json' }, body: '{"id":"resp_1","output":[{"ty' },
      { json: { id: 'resp_1', object: 'response', status: 'completed' } },
    );
    expect(await failure(adapter().complete([{ role: 'user', content: 'Hi' }]))).toMatchObject({
      code: 'LLM_INVALID_RESPONSE',
      provider: 'openai',
    });
    expect(await failure(adapter().complete([{ role: 'user', content: 'Hi' }]))).toMatchObject({
      code: 'LLM_INVALID_RESPONSE',
    });
  });

  it('maps a failed response to an LlmError of its error code', async () => {
    server.reply(
      {
        json: responseBody([], {
          status: 'failed',
          error: { code: 'server_error', message: 'The model failed to generate a response.' },
        }),
      },
      {
        json: responseBody([], {
          status: 'failed',
          error: { code: 'invalid_image_url', message: 'Could not download the image.' },
        }),
      },
    );
    expect(await failure(adapter().complete([{ role: 'user', content: 'Hi' }]))).toMatchObject({
      code: 'LLM_SERVER',
      retryable: true,
      message: expect.stringContaining('The model failed to generate a response.'),
    });
    expect(await failure(adapter().complete([{ role: 'user', content: 'Hi' }]))).toMatchObject({
      code: 'LLM_BAD_REQUEST',
      details: { providerCode: 'invalid_image_url' },
    });
  });

  it('refuses images on an assistant message before any request', async () => {
    const error = await failure(
      adapter().complete([
        { role: 'assistant', content: 'Look', images: ['https://example.com/a.png'] },
      ]),
    );
    expect(error).toMatchObject({ code: 'LLM_BAD_REQUEST', details: { index: 0 } });
    expect(server.requests).toHaveLength(0);
  });
});

describe('OpenAiAdapter on the Responses API: stream', () => {
  it('streams reasoning summaries, text deltas and tool calls, then finish with usage', async () => {
    const reasoning = reasoningItem(['The user asks for Paris weather; call the tool.']);
    const output = [
      reasoning,
      messageItem('Let me check. '),
      functionCallItem('call_Hk7pR2sD9fB4yE6', 'get-weather', '{"location":"Paris"}'),
    ];
    server.reply({ events: responseStream(output) });

    const events = await collectStream(
      adapter({ reasoningSummary: 'detailed' }).stream(
        [{ role: 'user', content: 'Weather in Paris?' }],
        { tools: [weatherTool] },
      ),
    );

    expect(server.requests[0]?.json).toMatchObject({
      stream: true,
      reasoning: { summary: 'detailed' },
    });
    const reasoningText = events.flatMap((event) =>
      event.type === 'reasoning-delta' ? [event.delta] : [],
    );
    expect(reasoningText.join('')).toBe('The user asks for Paris weather; call the tool.');
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.delta] : []));
    expect(text).toEqual(['Let ', 'me ', 'check. ']);
    expect(events.filter((event) => event.type === 'tool-call')).toEqual([
      {
        type: 'tool-call',
        toolCall: { id: 'call_Hk7pR2sD9fB4yE6', name: 'get-weather', args: { location: 'Paris' } },
      },
    ]);
    // Reasoning first, then the text, then the call, and finish last.
    const order = events.map((event) => event.type);
    expect(order.indexOf('reasoning-delta')).toBeLessThan(order.indexOf('text-delta'));
    expect(order.indexOf('text-delta')).toBeLessThan(order.indexOf('tool-call'));
    const last = events.at(-1);
    expect(last?.type).toBe('finish');
    expect(last?.type === 'finish' && last.message).toEqual({
      role: 'assistant',
      content: 'Let me check. ',
      toolCalls: [{ id: 'call_Hk7pR2sD9fB4yE6', name: 'get-weather', args: { location: 'Paris' } }],
      metadata: {
        provider: 'openai',
        id: RESPONSE_ID,
        model: 'gpt-5.4-mini-2026-03-17',
        finishReason: 'tool_calls',
        usage: { inputTokens: 84, outputTokens: 22 },
        reasoning: 'The user asks for Paris weather; call the tool.',
        openaiReasoning: [reasoning],
      },
    });
  });

  it('streams a structured output and finishes with it parsed', async () => {
    server.reply({
      events: responseStream([messageItem('{"city":"Oslo","celsius":-4,"conditions":"cloudy"}')]),
    });
    const events = await collectStream(
      adapter().stream([{ role: 'user', content: 'Oslo?' }], { output: { schema: Weather } }),
    );
    expect(server.requests[0]?.json.text.format).toMatchObject({
      type: 'json_schema',
      strict: true,
    });
    const last = events.at(-1);
    expect(last?.type === 'finish' && last.message.output).toEqual({
      city: 'Oslo',
      celsius: -4,
      conditions: 'cloudy',
    });
  });

  it('maps an error event, a response.failed event and a truncated stream', async () => {
    const started = responseStream([messageItem('Hello there')]).slice(0, 5);
    server.reply(
      {
        events: [
          ...started,
          `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message: 'The server had an error while processing your request.', param: null, sequence_number: 5 })}`,
        ],
      },
      {
        events: [
          ...started,
          `event: response.failed\ndata: ${JSON.stringify({
            type: 'response.failed',
            sequence_number: 5,
            response: responseBody([], {
              status: 'failed',
              error: { code: 'rate_limit_exceeded', message: 'Rate limit reached.' },
            }),
          })}`,
        ],
      },
      { events: started },
    );
    const llm = adapter();
    const messages: Message[] = [{ role: 'user', content: 'Hi' }];
    expect(await failure(collectStream(llm.stream(messages)))).toMatchObject({
      code: 'LLM_SERVER',
      provider: 'openai',
      message: expect.stringContaining('The server had an error'),
    });
    expect(await failure(collectStream(llm.stream(messages)))).toMatchObject({
      code: 'LLM_RATE_LIMIT',
      message: expect.stringContaining('Rate limit reached.'),
    });
    expect(await failure(collectStream(llm.stream(messages)))).toMatchObject({
      code: 'LLM_INVALID_RESPONSE',
      message: 'The OpenAI stream ended before response.completed',
    });
  });

  it('maps a malformed event to LLM_INVALID_RESPONSE and an HTTP error before the stream', async () => {
    vi.stubEnv('OPENAI_LOG', 'off');
    try {
      server.reply(
        {
          events: [
            ...responseStream([messageItem('Hi')]).slice(0, 3),
            'event: response.output_text.delta\ndata: {"type":"response.output_te',
          ],
        },
        {
          status: 400,
          json: responsesApiError(
            'Invalid model',
            'invalid_request_error',
            'model_not_found',
            'model',
          ),
        },
      );
      const llm = adapter();
      expect(
        await failure(collectStream(llm.stream([{ role: 'user', content: 'Hi' }]))),
      ).toMatchObject({
        code: 'LLM_INVALID_RESPONSE',
      });
      expect(
        await failure(collectStream(llm.stream([{ role: 'user', content: 'Hi' }]))),
      ).toMatchObject({
        code: 'LLM_BAD_REQUEST',
        status: 400,
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('stops with LLM_ABORTED when the caller aborts mid-stream', async () => {
    server.reply({
      events: responseStream([messageItem('Once upon a time')]).slice(0, 6),
      holdOpen: true,
    });
    const controller = new AbortController();
    const received: LlmStreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of adapter().stream([{ role: 'user', content: 'A story' }], {
          signal: controller.signal,
        })) {
          received.push(event);
          controller.abort();
        }
      })(),
    );
    expect(received[0]).toEqual({ type: 'text-delta', delta: 'Once ' });
    expect(error).toMatchObject({ code: 'LLM_ABORTED', retryable: false });
  });
});
