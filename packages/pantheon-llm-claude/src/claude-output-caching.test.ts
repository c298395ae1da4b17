import { completeOutput, type ToolSpec } from '@promethean-os/pantheon-core';
import {
  collectStream,
  createRecordingServer,
  type RecordingServer,
} from '@promethean-os/pantheon-test';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ClaudeAdapter, type ClaudeAdapterOptions } from './claude-adapter';
import { claudeMessage, text, thinkingSignature } from './claude-wire-fixtures.test-helper';

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
        schema: {
          type: 'object',
          properties: {
            category: { type: 'string', enum: ['refund', 'change', 'other'] },
            summary: { type: 'string' },
            bookingReference: { type: 'string' },
          },
          // Optional properties stay optional; objects are closed as Claude requires.
          required: ['category', 'summary'],
          additionalProperties: false,
        },
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
