import type { ContentBlock, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { LlmStreamEvent, LlmUsage } from '@promethean-os/pantheon-core';
import {
  isJsonObject,
  type LlmOutput,
  parseToolCallArguments,
} from '@promethean-os/pantheon-core/adapter-kit';
import { assistantMessage, invalidResponse, toUsage } from './claude-message-mapping';
import { type ClaudeOutputTool, outputFromToolUse } from './claude-output';

type OpenBlock = Record<string, any> & { type: string };

/**
 * Folds Messages API stream events into Pantheon stream events: text deltas as they come, thinking
 * deltas as `reasoning-delta`, each tool call when its block closes (input parsed), and the whole
 * message at the end. Thinking blocks and
 * their signatures are rebuilt too, so the final message can be sent back unchanged.
 */
export class ClaudeStreamAccumulator {
  private readonly blocks: OpenBlock[] = [];
  private readonly partialJson = new Map<number, string>();
  private started = false;
  private id: string | undefined;
  private model: string | undefined;
  private stopReason: string | null = null;
  private usage: LlmUsage | undefined;
  private startUsage: Record<string, number | null | undefined> = {};

  /**
   * With `output`, the final message's content is parsed and validated into `output`. With
   * `outputTool`, the output comes as that tool's call: its input streams as text deltas, and it
   * becomes the final message's content instead of a tool call.
   */
  constructor(
    private readonly droppedOptions: string[],
    private readonly output?: LlmOutput,
    private readonly outputTool?: ClaudeOutputTool,
  ) {}

  /** The events one stream event produces. */
  push(event: RawMessageStreamEvent): LlmStreamEvent[] {
    if (!isJsonObject(event)) throw invalidResponse('The Anthropic stream sent a malformed event');
    switch (event.type) {
      case 'message_start':
        this.started = true;
        this.id = event.message.id;
        this.model = event.message.model;
        this.usage = toUsage(event.message.usage);
        this.startUsage = { ...(event.message.usage as unknown as Record<string, number | null>) };
        return [];
      case 'content_block_start':
        this.blocks[event.index] = { ...(event.content_block as OpenBlock) };
        if (event.content_block.type === 'tool_use') this.partialJson.set(event.index, '');
        return [];
      case 'content_block_delta':
        return this.applyDelta(event.index, event.delta as OpenBlock);
      case 'content_block_stop':
        return this.closeBlock(event.index);
      case 'message_delta': {
        this.stopReason = event.delta.stop_reason ?? this.stopReason;
        // The counts are cumulative; input and cache counts are null when unchanged since
        // message_start.
        const merged: Record<string, number | null | undefined> = { ...this.startUsage };
        for (const [key, value] of Object.entries(event.usage)) {
          if (typeof value === 'number') merged[key] = value;
        }
        this.usage = toUsage(merged as Parameters<typeof toUsage>[0]);
        return [];
      }
      default:
        return [];
    }
  }

  /** The `finish` event once the stream has ended. */
  finish(): LlmStreamEvent[] {
    if (!this.started) throw invalidResponse('The Anthropic stream ended without message_start');
    const content = this.blocks.filter((block) => block !== undefined) as unknown as ContentBlock[];
    const message = assistantMessage(content, {
      id: this.id,
      model: this.model,
      stopReason: this.stopReason,
      usage: this.usage,
      droppedOptions: this.droppedOptions,
    });
    const reply = this.outputTool ? outputFromToolUse(message, this.outputTool) : message;
    return [{ type: 'finish', message: this.output ? this.output.parse(reply) : reply }];
  }

  private block(index: number): OpenBlock {
    const block = this.blocks[index];
    if (!block)
      throw invalidResponse(`The Anthropic stream sent a delta for unknown block ${index}`);
    return block;
  }

  private applyDelta(index: number, delta: OpenBlock): LlmStreamEvent[] {
    const block = this.block(index);
    switch (delta.type) {
      case 'text_delta':
        block.text = `${block.text ?? ''}${delta.text}`;
        return [{ type: 'text-delta', delta: delta.text }];
      case 'input_json_delta':
        this.partialJson.set(index, `${this.partialJson.get(index) ?? ''}${delta.partial_json}`);
        // A wrapped output's JSON is not the answer's: it is only complete at the end.
        return this.isOutputCall(block) && !this.outputTool?.wrapped && delta.partial_json
          ? [{ type: 'text-delta', delta: delta.partial_json }]
          : [];
      case 'thinking_delta':
        block.thinking = `${block.thinking ?? ''}${delta.thinking}`;
        return delta.thinking ? [{ type: 'reasoning-delta', delta: delta.thinking }] : [];
      case 'signature_delta':
        block.signature = delta.signature;
        return [];
      case 'citations_delta':
        block.citations = [...(block.citations ?? []), delta.citation];
        return [];
      default:
        return [];
    }
  }

  private closeBlock(index: number): LlmStreamEvent[] {
    const block = this.block(index);
    if (block.type !== 'tool_use') return [];
    block.input = parseToolCallArguments(this.partialJson.get(index) ?? '', {
      provider: 'anthropic',
      toolName: block.name,
      toolCallId: block.id,
    });
    if (this.isOutputCall(block)) return [];
    return [{ type: 'tool-call', toolCall: { id: block.id, name: block.name, args: block.input } }];
  }

  /** Whether the block is the output tool's call, whose input is the answer. */
  private isOutputCall(block: OpenBlock): boolean {
    return block.type === 'tool_use' && block.name === this.outputTool?.name;
  }
}
