// Replies in the two shapes the tests need: the AI SDK spec's results (for `MockLanguageModelV4`)
// and the OpenAI Chat Completions wire format that `@ai-sdk/openai-compatible` reads (JSON and
// server-sent events), following the API reference.

import type {
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import type { Message } from '@promethean-os/pantheon-core';
import { convertArrayToReadableStream } from 'ai/test';

export function usageOf(input: number, output: number): LanguageModelV4Usage {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

/** Splits text into word-sized deltas whose concatenation is the text. */
export function words(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** A `doGenerate` result with `content`. */
export function generateResult(
  content: LanguageModelV4Content[],
  extra: Partial<LanguageModelV4GenerateResult> = {},
): LanguageModelV4GenerateResult {
  const calls = content.some((part) => part.type === 'tool-call');
  return {
    content,
    finishReason: calls
      ? { unified: 'tool-calls', raw: 'tool_calls' }
      : { unified: 'stop', raw: 'stop' },
    usage: usageOf(12, 5),
    warnings: [],
    response: { id: 'resp-1', modelId: 'mock-model-2026-01', timestamp: new Date(0) },
    ...extra,
  };
}

/** A Pantheon assistant reply as the content parts a model returns. */
export function contentOf(reply: Message): LanguageModelV4Content[] {
  const content: LanguageModelV4Content[] = [];
  if (reply.content !== '') content.push({ type: 'text', text: reply.content });
  for (const call of reply.toolCalls ?? []) {
    content.push({
      type: 'tool-call',
      toolCallId: call.id,
      toolName: call.name,
      input: JSON.stringify(call.args),
    });
  }
  return content;
}

/** A `doStream` result that sends `parts`. */
export function streamResult(parts: LanguageModelV4StreamPart[]): LanguageModelV4StreamResult {
  return { stream: convertArrayToReadableStream(parts) };
}

/**
 * A Pantheon reply as a model streams it: stream start, response metadata, the text in word
 * deltas, each tool call's input in pieces followed by the complete call, then `finish`.
 */
export function streamPartsOf(reply: Message): LanguageModelV4StreamPart[] {
  const parts: LanguageModelV4StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'response-metadata', id: 'resp-1', modelId: 'mock-model-2026-01' },
  ];
  if (reply.content !== '') {
    parts.push({ type: 'text-start', id: 't0' });
    for (const delta of words(reply.content)) parts.push({ type: 'text-delta', id: 't0', delta });
    parts.push({ type: 'text-end', id: 't0' });
  }
  for (const call of reply.toolCalls ?? []) {
    const input = JSON.stringify(call.args);
    parts.push({ type: 'tool-input-start', id: call.id, toolName: call.name });
    for (const delta of input.split(/(?<=:)/))
      parts.push({ type: 'tool-input-delta', id: call.id, delta });
    parts.push({ type: 'tool-input-end', id: call.id });
    parts.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input });
  }
  parts.push({
    type: 'finish',
    usage: usageOf(12, 5),
    finishReason: reply.toolCalls?.length
      ? { unified: 'tool-calls', raw: 'tool_calls' }
      : { unified: 'stop', raw: 'stop' },
  });
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Chat Completions wire format

const created = 1763980800;
const wireModel = 'llama3.2:3b';

export function chatCompletion(message: Record<string, unknown>, finishReason = 'stop') {
  return {
    id: 'chatcmpl-8Kq2mT5vXw1bR9',
    object: 'chat.completion',
    created,
    model: wireModel,
    system_fingerprint: 'fp_ollama',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, ...message },
        finish_reason: finishReason,
      },
    ],
    usage: { prompt_tokens: 57, completion_tokens: 17, total_tokens: 74 },
  };
}

export function wireToolCall(id: string, name: string, argumentText: string) {
  return { id, type: 'function', function: { name, arguments: argumentText } };
}

function chunk(choices: unknown[], usage: unknown = null) {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-3Fp7nW2kLd8sQ4',
    object: 'chat.completion.chunk',
    created,
    model: wireModel,
    system_fingerprint: 'fp_ollama',
    choices,
    ...(usage === null ? {} : { usage }),
  })}`;
}

function deltaChunk(delta: Record<string, unknown>, finishReason: string | null = null) {
  return chunk([{ index: 0, delta, finish_reason: finishReason }]);
}

const usageChunk = chunk([], { prompt_tokens: 41, completion_tokens: 9, total_tokens: 50 });

/** A Pantheon reply as the Chat Completions JSON a server sends. */
export function completionOf(reply: Message) {
  const calls = reply.toolCalls ?? [];
  if (calls.length === 0) return chatCompletion({ content: reply.content });
  return chatCompletion(
    {
      content: reply.content === '' ? null : reply.content,
      tool_calls: calls.map((call) => wireToolCall(call.id, call.name, JSON.stringify(call.args))),
    },
    'tool_calls',
  );
}

/**
 * The same reply as a server streams it: the text in word deltas, each tool call announced with
 * its id and name and its arguments in pieces, the finish reason, usage and `[DONE]`.
 */
export function completionStreamOf(reply: Message): string[] {
  const calls = reply.toolCalls ?? [];
  return [
    deltaChunk({ role: 'assistant', content: '' }),
    ...words(reply.content).map((content) => deltaChunk({ content })),
    ...calls.flatMap((call, index) => [
      deltaChunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      }),
      ...JSON.stringify(call.args)
        .split(/(?<=:)/)
        .map((piece) => deltaChunk({ tool_calls: [{ index, function: { arguments: piece } }] })),
    ]),
    deltaChunk({}, calls.length > 0 ? 'tool_calls' : 'stop'),
    usageChunk,
    'data: [DONE]',
  ];
}

/** The first chunks of a text stream, without its end (for aborts mid-stream). */
export function firstTextChunks(content: string): string[] {
  return [deltaChunk({ role: 'assistant', content: '' }), deltaChunk({ content })];
}

/** An error object as OpenAI-compatible servers send it, in a body or inside a stream. */
export function apiError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/** An `error` event inside a stream that had started with HTTP 200. */
export function streamErrorEvent(message: string, type: string, code: string | null = null) {
  return `data: ${JSON.stringify(apiError(message, type, code))}`;
}
