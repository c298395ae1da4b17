// Payloads in the shape of the Claude Messages API reference (JSON and server-sent events).

import type { Message } from '@promethean-os/pantheon-core';

export const thinkingSignature =
  'EqQBCkYIBxgCKkBzcMYXaR0VUo1fU3Rr9Wn0aX2TIBtp3lPi5t2m3eeIHZeE1CMcRQzTCWqXbDXyoZ5mW4U0i8mQ3Eh3rSf2JthEgzgpxd9WjLd8x2pZ+saGgyM1zaQv2s=';

const usage = {
  input_tokens: 472,
  output_tokens: 91,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 128,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  output_tokens_details: { thinking_tokens: 37 },
  server_tool_use: null,
  service_tier: 'standard',
  inference_geo: 'global',
  speed: 'standard',
};

export function claudeMessage(content: unknown[], stopReason = 'end_turn') {
  return {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage,
  };
}

export const text = (value: string) => ({ type: 'text', text: value, citations: null });

export const thinking = () => ({ type: 'thinking', thinking: '', signature: thinkingSignature });

export const toolUse = (id: string, name: string, input: unknown) => ({
  type: 'tool_use',
  id,
  name,
  input,
  caller: { type: 'direct' },
});

export function apiError(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' };
}

function event(name: string, data: unknown) {
  return `event: ${name}\ndata: ${JSON.stringify(data)}`;
}

function messageStart() {
  return event('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_01K8v3pDh7cQ2XwLzR9sYtUe',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-5-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: { ...usage, input_tokens: 25, cache_read_input_tokens: 0, output_tokens: 1 },
    },
  });
}

const ping = event('ping', { type: 'ping' });

function messageEnd(stopReason: string, outputTokens: number) {
  return [
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null, stop_details: null, container: null },
      usage: {
        input_tokens: null,
        output_tokens: outputTokens,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        server_tool_use: null,
        output_tokens_details: { thinking_tokens: 0 },
      },
    }),
    event('message_stop', { type: 'message_stop' }),
  ];
}

export function firstTextEvents(first: string): string[] {
  return [
    messageStart(),
    event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '', citations: null },
    }),
    ping,
    event('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: first },
    }),
  ];
}

export function textEvents(first: string, ...rest: string[]): string[] {
  return [
    ...firstTextEvents(first),
    ...rest.map((piece) =>
      event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: piece },
      }),
    ),
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    ...messageEnd('end_turn', 15),
  ];
}

export function toolUseEvents(): string[] {
  return [
    messageStart(),
    event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    }),
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
      delta: { type: 'text_delta', text: 'Checking the weather.' },
    }),
    event('content_block_stop', { type: 'content_block_stop', index: 1 }),
    event('content_block_start', {
      type: 'content_block_start',
      index: 2,
      content_block: {
        type: 'tool_use',
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get-weather',
        input: {},
        caller: { type: 'direct' },
      },
    }),
    event('content_block_delta', {
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'input_json_delta', partial_json: '' },
    }),
    event('content_block_delta', {
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'input_json_delta', partial_json: '{"location": "Pa' },
    }),
    event('content_block_delta', {
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'input_json_delta', partial_json: 'ris"}' },
    }),
    event('content_block_stop', { type: 'content_block_stop', index: 2 }),
    ...messageEnd('tool_use', 89),
  ];
}

export function overloadedMidStream(): string[] {
  return [
    ...firstTextEvents('Hel'),
    event('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
  ];
}

/** A Pantheon assistant reply as the Messages API JSON: a text block, then one per tool call. */
export function claudeMessageOf(reply: Message) {
  const calls = reply.toolCalls ?? [];
  return claudeMessage(
    [
      ...(reply.content === '' ? [] : [text(reply.content)]),
      ...calls.map((call) => toolUse(call.id, call.name, call.args)),
    ],
    calls.length > 0 ? 'tool_use' : 'end_turn',
  );
}

/**
 * The same reply as the API streams it: `message_start`, the text block in sentence deltas, each
 * `tool_use` block with its input as `input_json_delta` pieces, then `message_delta` and
 * `message_stop`.
 */
export function claudeEventsOf(reply: Message): string[] {
  const calls = reply.toolCalls ?? [];
  const blocks: string[][] = [];
  if (reply.content !== '') {
    const index = blocks.length;
    blocks.push([
      event('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '', citations: null },
      }),
      // In sentence-sized deltas.
      ...(reply.content.match(/[^.!?]+[.!?]*\s*/g) ?? []).map((piece) =>
        event('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: piece },
        }),
      ),
      event('content_block_stop', { type: 'content_block_stop', index }),
    ]);
  }
  for (const call of calls) {
    const index = blocks.length;
    blocks.push([
      event('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: {
          type: 'tool_use',
          id: call.id,
          name: call.name,
          input: {},
          caller: { type: 'direct' },
        },
      }),
      // An empty first delta, then the input JSON cut after each comma, as the API sends it.
      ...['', ...JSON.stringify(call.args).split(/(?<=,)/)].map((piece) =>
        event('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: piece },
        }),
      ),
      event('content_block_stop', { type: 'content_block_stop', index }),
    ]);
  }
  return [
    messageStart(),
    ...blocks.flat(),
    ...messageEnd(calls.length > 0 ? 'tool_use' : 'end_turn', 20),
  ];
}
