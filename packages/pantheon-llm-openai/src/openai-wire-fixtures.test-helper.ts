// Payloads in the shape of the OpenAI Chat Completions API reference (JSON and SSE).

import type { Message } from '@promethean-os/pantheon-core';

const created = 1763980800;

export function chatCompletion(message: Record<string, unknown>, finishReason = 'stop') {
  return {
    id: 'chatcmpl-CX8mJ2kqP1b0ZlQy7rVw3nT5',
    object: 'chat.completion',
    created,
    model: 'gpt-5.4-mini-2026-03-17',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, annotations: [], ...message },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: {
      prompt_tokens: 57,
      completion_tokens: 17,
      total_tokens: 74,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: null,
  };
}

export function toolCall(id: string, name: string, argumentText: string) {
  return { id, type: 'function', function: { name, arguments: argumentText } };
}

function chunk(choices: unknown[], usage: unknown = null) {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-CX8mK7dNf2Wq9uHc4sLe1pR0',
    object: 'chat.completion.chunk',
    created,
    model: 'gpt-5.4-mini-2026-03-17',
    service_tier: 'default',
    system_fingerprint: null,
    choices,
    usage,
    obfuscation: 'aB3d',
  })}`;
}

function deltaChunk(delta: Record<string, unknown>, finishReason: string | null = null) {
  return chunk([{ index: 0, delta, logprobs: null, finish_reason: finishReason }]);
}

const usageChunk = chunk([], {
  prompt_tokens: 41,
  completion_tokens: 9,
  total_tokens: 50,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
});

export function textStream(...pieces: string[]): string[] {
  return [
    deltaChunk({ role: 'assistant', content: '', refusal: null }),
    ...pieces.map((content) => deltaChunk({ content })),
    deltaChunk({}, 'stop'),
    usageChunk,
    'data: [DONE]',
  ];
}

export function toolCallStream(): string[] {
  return [
    deltaChunk({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          index: 0,
          id: 'call_Wq3vJ8cT5mN2xL1',
          type: 'function',
          function: { name: 'get-weather', arguments: '' },
        },
      ],
      refusal: null,
    }),
    deltaChunk({ tool_calls: [{ index: 0, function: { arguments: '{"loc' } }] }),
    deltaChunk({ tool_calls: [{ index: 0, function: { arguments: 'ation": "Paris"}' } }] }),
    deltaChunk({
      tool_calls: [
        {
          index: 1,
          id: 'call_Hk7pR2sD9fB4yE6',
          type: 'function',
          function: { name: 'get-time', arguments: '' },
        },
      ],
    }),
    deltaChunk({ tool_calls: [{ index: 1, function: { arguments: '{"zone":"Europe/Paris"}' } }] }),
    deltaChunk({}, 'tool_calls'),
    usageChunk,
    'data: [DONE]',
  ];
}

export function firstTextChunk(content: string): string[] {
  return [deltaChunk({ role: 'assistant', content: '', refusal: null }), deltaChunk({ content })];
}

export function apiError(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}

/** A Pantheon assistant reply as the Chat Completions JSON the API would send. */
export function completionOf(reply: Message) {
  const calls = reply.toolCalls ?? [];
  if (calls.length === 0) return chatCompletion({ content: reply.content });
  return chatCompletion(
    {
      content: reply.content === '' ? null : reply.content,
      tool_calls: calls.map((call) => toolCall(call.id, call.name, JSON.stringify(call.args))),
    },
    'tool_calls',
  );
}

/**
 * The same reply as the API streams it: the text in word deltas, then each tool call announced
 * with its id and name and its arguments in pieces, the finish reason, usage and `[DONE]`.
 */
export function completionStreamOf(reply: Message): string[] {
  const calls = reply.toolCalls ?? [];
  return [
    deltaChunk({ role: 'assistant', content: '', refusal: null }),
    // Word by word, as the API streams text.
    ...(reply.content.match(/\S+\s*|\s+/g) ?? []).map((content) => deltaChunk({ content })),
    ...calls.flatMap((call, index) => [
      deltaChunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      }),
      // The arguments arrive in pieces, cut after each colon.
      ...JSON.stringify(call.args)
        .split(/(?<=:)/)
        .map((piece) => deltaChunk({ tool_calls: [{ index, function: { arguments: piece } }] })),
    ]),
    deltaChunk({}, calls.length > 0 ? 'tool_calls' : 'stop'),
    usageChunk,
    'data: [DONE]',
  ];
}
