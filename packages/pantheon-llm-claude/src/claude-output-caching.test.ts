import { completeOutput, type ToolSpec } from '@promethean-os/pantheon-core';
import {
  collectStream,
  createRecordingServer,
  type RecordingServer,
} from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ClaudeAdapter, type ClaudeAdapterOptions } from './claude-adapter';
import {
  claudeEventsOf,
  claudeMessage,
  text,
  thinkingSignature,
  toolUse,
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

function event(name: string, data: unknown) {
  return `event: ${name}\ndata: ${JSON.stringify(data)}`;
}

/** A reply whose usage shows a prompt cache at work, as the API reports it. */
function cachedReply(content: unknown[], cache: { read: number; write: number }) {
  const reply = claudeMessage(content);
  return {
    ...reply,
    usage: {
      ...reply.usage,
      input_tokens: 12,
      cache_creation_input_tokens: cache.write,
      cache_read_input_tokens: cache.read,
      cache_creation: { ephemeral_5m_input_tokens: cache.write, ephemeral_1h_input_tokens: 0 },
    },
  };
}

// About 1,500 tokens of policy: long enough for Claude to cache.
const longPolicy = `You are the support agent of Acme Travel. ${'Refunds over 500 EUR need a supervisor; bookings can change up to 24 hours before departure. '.repeat(60)}`;

const tools: ToolSpec[] = ['lookup-booking', 'change-booking', 'refund-booking'].map((name) => ({
  name,
  description: `${name.replace('-', ' ')}: ${'Takes the booking reference and the customer id. '.repeat(30)}`,
  parameters: {
    type: 'object',
    properties: { reference: { type: 'string' }, customerId: { type: 'string' } },
    required: ['reference', 'customerId'],
  },
  execute: () => 'ok',
}));

const Triage = z.object({
  category: z.enum(['refund', 'change', 'other']),
  summary: z.string(),
  bookingReference: z.string().optional(),
});

/** `Triage` as JSON Schema. */
const triageJsonSchema = {
  type: 'object',
  properties: {
    category: { type: 'string', enum: ['refund', 'change', 'other'] },
    summary: { type: 'string' },
    bookingReference: { type: 'string' },
  },
  required: ['category', 'summary'],
};

describe('ClaudeAdapter structured output', () => {
  it('sends output_config.format with closed objects and returns the parsed output', async () => {
    const answer = '{"category":"refund","summary":"Wants a refund for a cancelled flight"}';
    server.reply({ json: claudeMessage([text(answer)]) });

    const reply = await completeOutput(
      adapter({ promptCaching: false }),
      [{ role: 'user', content: 'My flight was cancelled, I want my money back' }],
      { output: { schema: Triage, name: 'triage' } },
    );

    expectTypeOf(reply.output.category).toEqualTypeOf<'refund' | 'change' | 'other'>();
    expect(reply.output).toEqual({
      category: 'refund',
      summary: 'Wants a refund for a cancelled flight',
    });
    expect(server.requests[0]?.json.output_config).toEqual({
      format: {
        type: 'json_schema',
        // Optional properties stay optional; objects are closed as Claude requires.
        schema: { ...triageJsonSchema, additionalProperties: false },
      },
    });
  });

  it('rejects an answer that does not match with LLM_OUTPUT_INVALID', async () => {
    server.reply({ json: claudeMessage([text('{"category":"complaint"}')]) });
    const error = await failure(
      adapter().complete([{ role: 'user', content: 'Hi' }], { output: { schema: Triage } }),
    );
    expect(error).toMatchObject({ code: 'LLM_OUTPUT_INVALID', provider: 'anthropic' });
    expect(error.details.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'category',
      'summary',
    ]);
  });

  it('streams an output and finishes with it parsed', async () => {
    const start = claudeMessage([]);
    server.reply({
      events: [
        event('message_start', { type: 'message_start', message: { ...start, stop_reason: null } }),
        event('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '', citations: null },
        }),
        ...['{"category":', '"change","summary":', '"Move to Friday"}'].map((piece) =>
          event('content_block_delta', {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: piece },
          }),
        ),
        event('content_block_stop', { type: 'content_block_stop', index: 0 }),
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: 19 },
        }),
        event('message_stop', { type: 'message_stop' }),
      ],
    });
    const events = await collectStream(
      adapter().stream([{ role: 'user', content: 'Move my booking' }], {
        output: { schema: Triage },
      }),
    );
    const last = events.at(-1);
    expect(last?.type === 'finish' && last.message.output).toEqual({
      category: 'change',
      summary: 'Move to Friday',
    });
  });
});

/** A model without JSON outputs, which takes a forced tool. */
const OLDER_MODEL = 'claude-opus-4-1-20250805';

describe("ClaudeAdapter structured output through a forced tool (structuredOutput: 'tool')", () => {
  const triageTool = {
    name: 'triage',
    description: 'The triage of the message',
    // The schema as zod describes it: objects stay open (a tool input needs no closing).
    input_schema: triageJsonSchema,
  };
  const triage = {
    schema: Triage,
    name: 'triage',
    description: 'The triage of the message',
  } as const;

  it('sends the schema as one forced tool and returns its input as the validated output', async () => {
    const input = { category: 'refund', summary: 'Wants a refund', bookingReference: 'ABC123' };
    server.reply({
      json: claudeMessage([toolUse('toolu_01A09q90qw90lq917835lq9', 'triage', input)], 'tool_use'),
    });

    const reply = await completeOutput(
      adapter({ model: OLDER_MODEL, structuredOutput: 'tool', promptCaching: false }),
      [{ role: 'user', content: 'Refund ABC123 please' }],
      { output: triage },
    );

    const body = server.requests[0]?.json;
    expect(body.tools).toEqual([triageTool]);
    expect(body.tool_choice).toEqual({
      type: 'tool',
      name: 'triage',
      disable_parallel_tool_use: true,
    });
    expect(body.output_config).toBeUndefined();
    expectTypeOf(reply.output.category).toEqualTypeOf<'refund' | 'change' | 'other'>();
    expect(reply.output).toEqual(input);
    expect(JSON.parse(reply.content)).toEqual(input);
    // The forced call is the answer, not a tool to run; sent back, it is the answer's text.
    expect(reply.toolCalls).toBeUndefined();
    expect(reply.metadata?.anthropicContent).toEqual([
      { type: 'text', text: reply.content, citations: null },
    ]);
  });

  it('rejects a tool input that does not match with LLM_OUTPUT_INVALID', async () => {
    server.reply({
      json: claudeMessage([toolUse('toolu_01', 'triage', { category: 'complaint' })], 'tool_use'),
    });
    const error = await failure(
      adapter({ model: OLDER_MODEL, structuredOutput: 'tool' }).complete(
        [{ role: 'user', content: 'Hi' }],
        {
          output: triage,
        },
      ),
    );
    expect(error).toMatchObject({ code: 'LLM_OUTPUT_INVALID', provider: 'anthropic' });
    expect(error.details.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'category',
      'summary',
    ]);
    expect(error.details.content).toBe('{"category":"complaint"}');
  });

  it('streams the tool input as text deltas and finishes with the output', async () => {
    const input = { category: 'change', summary: 'Move to Friday' };
    server.reply({
      events: claudeEventsOf({
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'toolu_02', name: 'triage', args: input }],
      }),
    });
    const events = await collectStream(
      adapter({ model: OLDER_MODEL, structuredOutput: 'tool' }).stream(
        [{ role: 'user', content: 'Move my booking' }],
        {
          output: triage,
        },
      ),
    );
    expect(events.some((each) => each.type === 'tool-call')).toBe(false);
    const deltas = events.flatMap((each) => (each.type === 'text-delta' ? [each.delta] : []));
    expect(JSON.parse(deltas.join(''))).toEqual(input);
    const last = events.at(-1);
    expect(last?.type === 'finish' && last.message.output).toEqual(input);
    expect(server.requests[0]?.json.tool_choice).toMatchObject({ type: 'tool', name: 'triage' });
  });

  it('next to other tools, lets the model call one of them or answer', async () => {
    server.reply({
      json: claudeMessage(
        [toolUse('toolu_03', 'lookup-booking', { reference: 'ABC123', customerId: 'c-7' })],
        'tool_use',
      ),
    });
    const reply = await adapter({
      model: OLDER_MODEL,
      structuredOutput: 'tool',
      promptCaching: false,
    }).complete([{ role: 'user', content: 'What about ABC123?' }], {
      output: triage,
      tools: tools.slice(0, 1),
    });
    const body = server.requests[0]?.json;
    expect(body.tools.map((tool: { name: string }) => tool.name)).toEqual([
      'lookup-booking',
      'triage',
    ]);
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(reply.output).toBeUndefined();
    expect(reply.toolCalls).toEqual([
      { id: 'toolu_03', name: 'lookup-booking', args: { reference: 'ABC123', customerId: 'c-7' } },
    ]);

    const clash = await failure(
      adapter({ model: OLDER_MODEL, structuredOutput: 'tool' }).complete(
        [{ role: 'user', content: 'Hi' }],
        {
          output: { schema: Triage, name: 'lookup-booking' },
          tools: tools.slice(0, 1),
        },
      ),
    );
    expect(clash).toMatchObject({ code: 'LLM_BAD_REQUEST', provider: 'anthropic' });
    expect(server.requests).toHaveLength(1);
  });

  it('wraps an output that is not an object, as a tool input must be one', async () => {
    server.reply({
      json: claudeMessage([toolUse('toolu_04', 'tags', { value: ['late', 'refund'] })], 'tool_use'),
    });
    const reply = await adapter({ model: OLDER_MODEL, structuredOutput: 'tool' }).complete(
      [{ role: 'user', content: 'Tag this' }],
      { output: { schema: z.array(z.string()), name: 'tags' } },
    );
    expect(server.requests[0]?.json.tools[0].input_schema).toEqual({
      type: 'object',
      properties: { value: { type: 'array', items: { type: 'string' } } },
      required: ['value'],
    });
    expect(reply.output).toEqual(['late', 'refund']);
    expect(reply.content).toBe('["late","refund"]');
  });

  it("'auto' (the default) uses the tool on older models only; 'tool' falls back where a forced tool is refused", async () => {
    server.reply(
      {
        json: claudeMessage(
          [toolUse('toolu_05', 'triage', { category: 'other', summary: 'Hi' })],
          'tool_use',
        ),
      },
      { json: claudeMessage([text('{"category":"other","summary":"Hi"}')]) },
      { json: claudeMessage([text('{"category":"other","summary":"Hi"}')]) },
    );
    const ask = [{ role: 'user' as const, content: 'Hi' }];
    const old = await adapter({ model: 'claude-3-5-haiku-20241022' }).complete(ask, {
      output: triage,
    });
    const current = await adapter().complete(ask, { output: triage });
    const refused = await adapter({ structuredOutput: 'tool' }).complete(ask, { output: triage });

    expect(server.requests[0]?.json.tool_choice).toMatchObject({ type: 'tool', name: 'triage' });
    expect(server.requests[0]?.json.output_config).toBeUndefined();
    for (const request of server.requests.slice(1)) {
      expect(request.json.output_config.format.type).toBe('json_schema');
      expect(request.json.tools).toBeUndefined();
    }
    for (const reply of [old, current, refused]) {
      expect(reply.output).toEqual({ category: 'other', summary: 'Hi' });
    }
    expect(current.metadata?.droppedOptions).toBeUndefined();
    expect(refused.metadata?.droppedOptions).toEqual(['structuredOutput']);
    expect(() => adapter({ structuredOutput: 'json' as 'tool' })).toThrowError(/structuredOutput/);
  });
});

describe('ClaudeAdapter prompt caching', () => {
  it('marks a long system prompt and tool list with cache_control, and reports cache usage', async () => {
    server.reply(
      { json: cachedReply([text('How can I help?')], { read: 0, write: 2_950 }) },
      { json: cachedReply([text('Your booking is confirmed.')], { read: 2_950, write: 0 }) },
    );
    const llm = adapter();
    const conversation = [
      { role: 'system' as const, content: longPolicy },
      { role: 'user' as const, content: 'Hello' },
    ];

    const first = await llm.complete(conversation, { tools });
    const second = await llm.complete(
      [...conversation, first, { role: 'user', content: 'Is ABC123 confirmed?' }],
      { tools },
    );

    const body = server.requests[0]?.json;
    expect(body.system).toEqual([
      { type: 'text', text: longPolicy, cache_control: { type: 'ephemeral' } },
    ]);
    expect(body.tools.map((tool: { cache_control?: unknown }) => tool.cache_control)).toEqual([
      undefined,
      undefined,
      { type: 'ephemeral' },
    ]);
    // The same breakpoints on every call, so the second one reads what the first wrote.
    expect(server.requests[1]?.json.system).toEqual(body.system);
    expect(first.metadata?.usage).toEqual({
      inputTokens: 12 + 2_950,
      outputTokens: 91,
      cacheWriteTokens: 2_950,
    });
    expect(second.metadata?.usage).toEqual({
      inputTokens: 12 + 2_950,
      outputTokens: 91,
      cacheReadTokens: 2_950,
    });
  });

  it('leaves short prompts alone, takes a ttl and a threshold, and can be turned off', async () => {
    server.reply(
      { json: claudeMessage([text('a')]) },
      { json: claudeMessage([text('b')]) },
      { json: claudeMessage([text('c')]) },
    );
    const short = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Hi' },
    ];
    await adapter().complete(short);
    expect(server.requests[0]?.json.system).toBe('Be brief.');

    await adapter({ promptCaching: { ttl: '1h', minChars: 0 } }).complete(short, {
      tools: tools.slice(0, 1),
    });
    expect(server.requests[1]?.json.system).toEqual([
      { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    expect(server.requests[1]?.json.tools[0].cache_control).toEqual({
      type: 'ephemeral',
      ttl: '1h',
    });

    await adapter({ promptCaching: false }).complete(
      [
        { role: 'system', content: longPolicy },
        { role: 'user', content: 'Hi' },
      ],
      { tools },
    );
    expect(server.requests[2]?.json.system).toBe(longPolicy);
    expect(JSON.stringify(server.requests[2]?.json.tools)).not.toContain('cache_control');

    expect(() => adapter({ promptCaching: { ttl: '2h' as '1h' } })).toThrowError(
      /promptCaching.ttl must be '5m' or '1h'/,
    );
    expect(() => adapter({ promptCaching: { minChars: -1 } })).toThrowError(/minChars/);
  });

  it('reports cache usage from a stream, where message_delta may update it', async () => {
    const start = cachedReply([], { read: 2_950, write: 0 });
    server.reply({
      events: [
        event('message_start', {
          type: 'message_start',
          message: { ...start, stop_reason: null, usage: { ...start.usage, output_tokens: 1 } },
        }),
        event('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        }),
        ...['The customer asks about ', 'a booking; answer directly.'].map((thinking) =>
          event('content_block_delta', {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'thinking_delta', thinking },
          }),
        ),
        event('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'signature_delta', signature: thinkingSignature },
        }),
        event('content_block_stop', { type: 'content_block_stop', index: 0 }),
        event('content_block_start', {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'text', text: '', citations: null },
        }),
        event('content_block_delta', {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'text_delta', text: 'It is confirmed.' },
        }),
        event('content_block_stop', { type: 'content_block_stop', index: 1 }),
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: {
            input_tokens: null,
            output_tokens: 42,
            cache_creation_input_tokens: 310,
            cache_read_input_tokens: null,
            server_tool_use: null,
            output_tokens_details: { thinking_tokens: 20 },
          },
        }),
        event('message_stop', { type: 'message_stop' }),
      ],
    });

    const events = await collectStream(
      adapter().stream([
        { role: 'system', content: longPolicy },
        { role: 'user', content: 'Is ABC123 confirmed?' },
      ]),
    );

    expect(events.slice(0, 3)).toEqual([
      { type: 'reasoning-delta', delta: 'The customer asks about ' },
      { type: 'reasoning-delta', delta: 'a booking; answer directly.' },
      { type: 'text-delta', delta: 'It is confirmed.' },
    ]);
    const last = events.at(-1);
    expect(last?.type).toBe('finish');
    if (last?.type !== 'finish') return;
    expect(last.message.content).toBe('It is confirmed.');
    expect(last.message.metadata?.reasoning).toBe(
      'The customer asks about a booking; answer directly.',
    );
    expect(last.message.metadata?.usage).toEqual({
      inputTokens: 12 + 2_950 + 310,
      outputTokens: 42,
      cacheReadTokens: 2_950,
      cacheWriteTokens: 310,
    });
  });
});
