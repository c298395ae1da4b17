import type { LlmStreamEvent, LlmUsage, ToolCall } from '@promethean-os/pantheon-core';
import type { LlmOutput } from '@promethean-os/pantheon-core/adapter-kit';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import {
  assistantMessage,
  invalidResponse,
  reasoningText,
  toToolCall,
  toUsage,
} from './openai-message-mapping';

interface PartialToolCall {
  id?: string;
  name: string;
  argumentText: string;
}

/**
 * Folds Chat Completions stream chunks into Pantheon stream events: text deltas as they come, each
 * tool call once complete (when the choice finishes), and the whole message at the end.
 */
export class ChatStreamAccumulator {
  private content = '';
  private readonly partialToolCalls = new Map<number, PartialToolCall>();
  private readonly toolCalls: ToolCall[] = [];
  private toolCallsEmitted = false;
  private chunks = 0;
  private id: string | undefined;
  private model: string | undefined;
  private finishReason: string | null = null;
  private usage: LlmUsage | undefined;
  private refusal = '';
  private reasoning = '';

  /** With `output`, the final message's content is parsed and validated into `output`. */
  constructor(private readonly output?: LlmOutput) {}

  /** The events one chunk produces. */
  push(chunk: ChatCompletionChunk): LlmStreamEvent[] {
    this.chunks++;
    const events: LlmStreamEvent[] = [];
    this.id ??= chunk.id;
    this.model ??= chunk.model;
    this.usage = toUsage(chunk.usage) ?? this.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return events;
    const delta = choice.delta ?? {};
    const reasoning = reasoningText(delta);
    if (reasoning !== undefined) {
      this.reasoning += reasoning;
      events.push({ type: 'reasoning-delta', delta: reasoning });
    }
    if (typeof delta.content === 'string' && delta.content !== '') {
      this.content += delta.content;
      events.push({ type: 'text-delta', delta: delta.content });
    }
    if (typeof delta.refusal === 'string') this.refusal += delta.refusal;
    for (const part of delta.tool_calls ?? []) {
      const partial = this.partialToolCalls.get(part.index) ?? { name: '', argumentText: '' };
      if (part.id) partial.id = part.id;
      if (part.function?.name) partial.name += part.function.name;
      if (part.function?.arguments) partial.argumentText += part.function.arguments;
      this.partialToolCalls.set(part.index, partial);
    }
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      events.push(...this.completeToolCalls());
    }
    return events;
  }

  /** The remaining events once the stream has ended, `finish` last. */
  finish(): LlmStreamEvent[] {
    if (this.chunks === 0) throw invalidResponse('The OpenAI stream ended without any chunk');
    const events = this.completeToolCalls();
    const message = assistantMessage(this.content, this.toolCalls, {
      id: this.id,
      model: this.model,
      finishReason: this.finishReason,
      usage: this.usage,
      refusal: this.refusal || undefined,
      reasoning: this.reasoning || undefined,
    });
    events.push({ type: 'finish', message: this.output ? this.output.parse(message) : message });
    return events;
  }

  private completeToolCalls(): LlmStreamEvent[] {
    if (this.toolCallsEmitted) return [];
    this.toolCallsEmitted = true;
    const ordered = [...this.partialToolCalls.entries()].sort(([a], [b]) => a - b);
    return ordered.map(([, partial]) => {
      const toolCall = toToolCall(partial.id, partial.name, partial.argumentText);
      this.toolCalls.push(toolCall);
      return { type: 'tool-call', toolCall };
    });
  }
}
