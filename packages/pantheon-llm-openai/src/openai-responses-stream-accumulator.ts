import type { LlmStreamEvent } from '@promethean-os/pantheon-core';
import { isJsonObject, type LlmOutput } from '@promethean-os/pantheon-core/adapter-kit';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { invalidResponse, toToolCall } from './openai-message-mapping';
import { fromResponse, responseFailure } from './openai-responses-mapping';

/**
 * Folds Responses API stream events into Pantheon stream events: `response.output_text.delta` as
 * text deltas, reasoning summary (and reasoning text) deltas as `reasoning-delta`, each function
 * call once its item is done, and at the end the whole message, built from the response that
 * `response.completed` (or `response.incomplete`) carries — the same mapping as a reply that is
 * not streamed. `response.failed` is an `LlmError`; an `error` event is thrown by the SDK.
 */
export class ResponsesStreamAccumulator {
  private final: Response | undefined;
  private events = 0;
  private readonly emittedCalls = new Set<string>();

  /** With `output`, the final message's content is parsed and validated into `output`. */
  constructor(private readonly output?: LlmOutput) {}

  /** The events one stream event produces. */
  push(event: ResponseStreamEvent): LlmStreamEvent[] {
    if (!isJsonObject(event)) throw invalidResponse('The OpenAI stream sent a malformed event');
    this.events++;
    switch (event.type) {
      case 'response.output_text.delta':
        return event.delta === '' ? [] : [{ type: 'text-delta', delta: event.delta }];
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return event.delta === '' ? [] : [{ type: 'reasoning-delta', delta: event.delta }];
      case 'response.output_item.done': {
        const { item } = event;
        if (item?.type !== 'function_call') return [];
        this.emittedCalls.add(item.call_id);
        const toolCall = toToolCall(item.call_id, item.name, item.arguments ?? '');
        return [{ type: 'tool-call', toolCall }];
      }
      case 'response.completed':
      case 'response.incomplete':
        this.final = event.response;
        return [];
      case 'response.failed':
        throw responseFailure(event.response?.error);
      default:
        return [];
    }
  }

  /** The tool calls not yet announced and `finish`, once the stream has ended. */
  finish(): LlmStreamEvent[] {
    if (this.events === 0) throw invalidResponse('The OpenAI stream ended without any event');
    if (this.final === undefined) {
      throw invalidResponse('The OpenAI stream ended before response.completed');
    }
    const message = fromResponse(this.final);
    const events: LlmStreamEvent[] = (message.toolCalls ?? [])
      .filter((call) => !this.emittedCalls.has(call.id))
      .map((toolCall) => ({ type: 'tool-call', toolCall }));
    events.push({ type: 'finish', message: this.output ? this.output.parse(message) : message });
    return events;
  }
}
