// Payloads in the shape of the OpenAI Responses API reference (`POST /v1/responses`, JSON and
// server-sent events), as a reasoning model such as gpt-5.4-mini sends them.

import type { Message } from '@promethean-os/pantheon-core';

const createdAt = 1764619200;
const model = 'gpt-5.4-mini-2026-03-17';
export const RESPONSE_ID = 'resp_68f1c2a9e4b08190a3d5c7e1f2b4a6c8';

type Item = Record<string, unknown>;

export function messageItem(text: string, id = 'msg_68f1c2ab7d3c8190b2e4f6a8c0d2e4f6'): Item {
  return {
    id,
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
  };
}

export function refusalItem(refusal: string): Item {
  return {
    id: 'msg_68f1c2ab7d3c8190b2e4f6a8c0d2e4f7',
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'refusal', refusal }],
  };
}

export function functionCallItem(callId: string, name: string, argumentText: string): Item {
  return {
    id: `fc_${callId.slice(5)}90c1d3e5f7a9b1c3`,
    type: 'function_call',
    status: 'completed',
    arguments: argumentText,
    call_id: callId,
    name,
  };
}

export function reasoningItem(summary: string[], encrypted = 'gAAAAABo8cKp3xQ2v…'): Item {
  return {
    id: 'rs_68f1c2aa15e88190a1b3c5d7e9f1a3b5',
    type: 'reasoning',
    encrypted_content: encrypted,
    summary: summary.map((text) => ({ type: 'summary_text', text })),
  };
}

export const responseUsage = {
  input_tokens: 84,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 22,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 106,
};

/** A whole `response` object. */
export function responseBody(
  output: Item[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: RESPONSE_ID,
    object: 'response',
    created_at: createdAt,
    status: 'completed',
    background: false,
    completed_at: createdAt + 2,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: 'medium', summary: null },
    safety_identifier: null,
    service_tier: 'default',
    store: false,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    usage: responseUsage,
    user: null,
    metadata: {},
    ...overrides,
  };
}

/** One server-sent event: its type as `event:` and the event as `data:`, as the API sends them. */
function sse(sequence: { n: number }, event: Record<string, unknown> & { type: string }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence.n++ })}`;
}

/**
 * The events of a response as the API streams them: `response.created` and `in_progress`, then
 * per output item `output_item.added`, its deltas (reasoning summary text, output text in word
 * pieces, function call arguments cut after each colon) and `output_item.done`, and last
 * `response.completed` with the whole response.
 */
export function responseStream(
  output: Item[],
  final: Record<string, unknown> = responseBody(output),
): string[] {
  const sequence = { n: 0 };
  const pending = { ...responseBody([]), status: 'in_progress', completed_at: null, usage: null };
  const events = [
    sse(sequence, { type: 'response.created', response: pending }),
    sse(sequence, { type: 'response.in_progress', response: pending }),
  ];
  output.forEach((item, outputIndex) => {
    const base = { output_index: outputIndex, item_id: item.id };
    if (item.type === 'message') {
      events.push(
        sse(sequence, {
          type: 'response.output_item.added',
          output_index: outputIndex,
          item: { ...item, status: 'in_progress', content: [] },
        }),
      );
      const part = (item.content as Item[])[0] as Item;
      events.push(
        sse(sequence, {
          type: 'response.content_part.added',
          ...base,
          content_index: 0,
          part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
        }),
      );
      if (part.type === 'output_text') {
        for (const delta of String(part.text).match(/\S+\s*|\s+/g) ?? []) {
          events.push(
            sse(sequence, {
              type: 'response.output_text.delta',
              ...base,
              content_index: 0,
              delta,
              logprobs: [],
              obfuscation: 'q3Rz',
            }),
          );
        }
        events.push(
          sse(sequence, {
            type: 'response.output_text.done',
            ...base,
            content_index: 0,
            text: part.text,
            logprobs: [],
          }),
        );
      } else {
        events.push(
          sse(sequence, {
            type: 'response.refusal.delta',
            ...base,
            content_index: 0,
            delta: part.refusal,
          }),
        );
      }
      events.push(
        sse(sequence, { type: 'response.content_part.done', ...base, content_index: 0, part }),
      );
    } else if (item.type === 'function_call') {
      events.push(
        sse(sequence, {
          type: 'response.output_item.added',
          output_index: outputIndex,
          item: { ...item, status: 'in_progress', arguments: '' },
        }),
      );
      for (const delta of String(item.arguments).split(/(?<=:)/)) {
        events.push(
          sse(sequence, {
            type: 'response.function_call_arguments.delta',
            ...base,
            delta,
            obfuscation: 'Zk',
          }),
        );
      }
      events.push(
        sse(sequence, {
          type: 'response.function_call_arguments.done',
          ...base,
          name: item.name,
          arguments: item.arguments,
        }),
      );
    } else if (item.type === 'reasoning') {
      events.push(
        sse(sequence, {
          type: 'response.output_item.added',
          output_index: outputIndex,
          item: { ...item, summary: [] },
        }),
      );
      (item.summary as { text: string }[]).forEach((summary, summaryIndex) => {
        const summaryBase = { ...base, summary_index: summaryIndex };
        events.push(
          sse(sequence, {
            type: 'response.reasoning_summary_part.added',
            ...summaryBase,
            part: { type: 'summary_text', text: '' },
          }),
        );
        for (const delta of summary.text.match(/\S+\s*|\s+/g) ?? []) {
          events.push(
            sse(sequence, {
              type: 'response.reasoning_summary_text.delta',
              ...summaryBase,
              delta,
              obfuscation: 'a9',
            }),
          );
        }
        events.push(
          sse(sequence, {
            type: 'response.reasoning_summary_text.done',
            ...summaryBase,
            text: summary.text,
          }),
        );
      });
    }
    events.push(
      sse(sequence, { type: 'response.output_item.done', output_index: outputIndex, item }),
    );
  });
  events.push(sse(sequence, { type: `response.${String(final.status)}`, response: final }));
  return events;
}

/** A Pantheon assistant reply as the Responses API output items. */
export function outputOf(reply: Message): Item[] {
  const items: Item[] = [];
  if (reply.content !== '') items.push(messageItem(reply.content));
  for (const call of reply.toolCalls ?? []) {
    items.push(functionCallItem(call.id, call.name, JSON.stringify(call.args)));
  }
  return items;
}

export function responsesApiError(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}
