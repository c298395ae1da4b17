import type {
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
  SharedV4ProviderMetadata,
  SharedV4Warning,
} from '@ai-sdk/provider';
import type { LlmStreamEvent } from '@promethean-os/pantheon-core';
import {
  isJsonObject,
  type LlmOutput,
  type LlmStreamAccumulator,
  parseToolCallArguments,
} from '@promethean-os/pantheon-core/adapter-kit';
import { type FailureSource, streamPartError } from './ai-sdk-error-mapping';
import {
  assistantMessage,
  invalidResponse,
  isUnsupportedPart,
  type ReplyFacts,
  type UnsupportedContentPolicy,
  unsupportedContentError,
} from './ai-sdk-message-mapping';

type OpenBlock = {
  type: 'text' | 'reasoning';
  text: string;
  providerMetadata?: SharedV4ProviderMetadata;
};

/** What the accumulator needs besides the stream. */
export interface StreamContext extends FailureSource {
  modelId: string;
  policy: UnsupportedContentPolicy;
  droppedOptions: readonly string[];
  /** With `output`, the final message's content is parsed and validated into `output`. */
  output?: LlmOutput | undefined;
}

/**
 * Folds an AI SDK model's stream parts into Pantheon stream events: `text-delta` as text arrives,
 * `reasoning-delta` as reasoning does,
 * one `tool-call` per complete tool call (the spec sends the whole call after its input deltas),
 * and at the end `finish` with the same message `complete` would return. An `error` part is
 * thrown as a typed error; a part a message cannot hold is `LLM_UNSUPPORTED_CONTENT` when it
 * arrives (policy `'reject'`), or kept for `metadata.unsupportedContent`.
 */
export class AiSdkStreamAccumulator implements LlmStreamAccumulator<LanguageModelV4StreamPart> {
  private readonly content: (LanguageModelV4Content | OpenBlock)[] = [];
  private readonly open = new Map<string, OpenBlock>();
  private warnings: SharedV4Warning[] = [];
  private responseId: string | undefined;
  private responseModelId: string | undefined;
  private finishReason: LanguageModelV4FinishReason | undefined;
  private usage: LanguageModelV4Usage | undefined;
  private providerMetadata: SharedV4ProviderMetadata | undefined;
  private finished = false;

  constructor(private readonly context: StreamContext) {}

  /** The events one stream part produces. */
  push(part: LanguageModelV4StreamPart): LlmStreamEvent[] {
    const { provider } = this.context;
    const received: unknown = part;
    if (!isJsonObject(received) || typeof received.type !== 'string') {
      throw invalidResponse(provider, `${provider} sent a malformed stream part`, {
        part: JSON.stringify(part)?.slice(0, 200),
      });
    }
    switch (part.type) {
      case 'stream-start':
        this.warnings = [...(part.warnings ?? [])];
        return [];
      case 'response-metadata':
        this.responseId ??= part.id;
        this.responseModelId ??= part.modelId;
        return [];
      case 'text-start':
      case 'reasoning-start': {
        const block: OpenBlock = {
          type: part.type === 'text-start' ? 'text' : 'reasoning',
          text: '',
          ...(part.providerMetadata ? { providerMetadata: part.providerMetadata } : {}),
        };
        this.open.set(`${block.type}:${part.id}`, block);
        this.content.push(block);
        return [];
      }
      case 'text-delta':
      case 'reasoning-delta': {
        const type = part.type === 'text-delta' ? 'text' : 'reasoning';
        const block = this.block(type, part.id, part.providerMetadata);
        block.text += part.delta;
        if (part.delta === '') return [];
        return [{ type: type === 'text' ? 'text-delta' : 'reasoning-delta', delta: part.delta }];
      }
      case 'text-end':
      case 'reasoning-end':
        this.block(part.type === 'text-end' ? 'text' : 'reasoning', part.id, part.providerMetadata);
        this.open.delete(`${part.type === 'text-end' ? 'text' : 'reasoning'}:${part.id}`);
        return [];
      case 'tool-input-start':
      case 'tool-input-delta':
      case 'tool-input-end':
        // The complete `tool-call` part follows; its input is what counts.
        return [];
      case 'tool-call': {
        if (part.providerExecuted) return this.unsupported(part);
        this.content.push(part);
        const args = parseToolCallArguments(part.input, {
          provider,
          toolName: part.toolName,
          toolCallId: part.toolCallId,
        });
        return [
          { type: 'tool-call', toolCall: { id: part.toolCallId, name: part.toolName, args } },
        ];
      }
      case 'source':
        this.content.push(part);
        return [];
      case 'finish':
        this.finished = true;
        this.usage = part.usage;
        this.finishReason = part.finishReason;
        this.providerMetadata = part.providerMetadata;
        return [];
      case 'error':
        throw streamPartError(part.error, this.context);
      case 'ping':
      case 'raw':
        return [];
      default:
        return this.unsupported(part as LanguageModelV4Content);
    }
  }

  /** The `finish` event, once the stream has ended. */
  finish(): LlmStreamEvent[] {
    const { provider } = this.context;
    if (!this.finished) {
      throw invalidResponse(provider, `The ${provider} stream ended without a finish part`);
    }
    const facts: ReplyFacts = {
      provider,
      modelId: this.context.modelId,
      responseId: this.responseId,
      responseModelId: this.responseModelId,
      finishReason: this.finishReason,
      usage: this.usage,
      warnings: this.warnings,
      providerMetadata: this.providerMetadata,
      droppedOptions: this.context.droppedOptions,
    };
    const content = this.content as LanguageModelV4Content[];
    const message = assistantMessage(content, facts, this.context.policy);
    const { output } = this.context;
    return [{ type: 'finish', message: output ? output.parse(message) : message }];
  }

  private unsupported(part: LanguageModelV4Content): LlmStreamEvent[] {
    if (!isUnsupportedPart(part)) return [];
    if (this.context.policy === 'reject')
      throw unsupportedContentError(this.context.provider, [part]);
    this.content.push(part);
    return [];
  }

  /** The open text or reasoning block `id` (opened now if the provider skipped its start). */
  private block(
    type: OpenBlock['type'],
    id: string,
    providerMetadata: SharedV4ProviderMetadata | undefined,
  ): OpenBlock {
    let block = this.open.get(`${type}:${id}`);
    if (!block) {
      block = { type, text: '' };
      this.open.set(`${type}:${id}`, block);
      this.content.push(block);
    }
    if (providerMetadata) block.providerMetadata = providerMetadata;
    return block;
  }
}
