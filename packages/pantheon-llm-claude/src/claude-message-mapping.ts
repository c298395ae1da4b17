import type {
  Message as ClaudeMessage,
  ToolChoice as ClaudeToolChoice,
  ContentBlock,
  ContentBlockParam,
  ImageBlockParam,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import {
  LlmError,
  type LlmUsage,
  type Message,
  type ToolCall,
  type ToolChoice,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import {
  checkToolCallArguments,
  isJsonObject,
  toolParametersToJsonSchema,
} from '@promethean-os/pantheon-core/adapter-kit';

const provider = 'anthropic';

/**
 * Key of an assistant message's metadata that keeps Claude's content blocks as received (thinking
 * blocks with their signatures included). Claude requires those blocks back unchanged when the
 * conversation continues, so an assistant message that carries them is sent as they are.
 */
export const CLAUDE_CONTENT_METADATA_KEY = 'anthropicContent';

const imageMediaTypes = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function badRequest(message: string, details: Record<string, unknown>): LlmError {
  return new LlmError(message, details, { code: 'LLM_BAD_REQUEST', provider });
}

export function invalidResponse(message: string, details?: Record<string, unknown>): LlmError {
  return new LlmError(message, details, { code: 'LLM_INVALID_RESPONSE', provider });
}

function imageBlock(url: string, index: number): ImageBlockParam {
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (dataUrl) {
    const mediaType = dataUrl[1]?.toLowerCase() ?? '';
    if (!imageMediaTypes.has(mediaType)) {
      throw badRequest(
        `Message ${index} has an image of type "${mediaType}"; Claude takes JPEG, PNG, GIF and WebP`,
        { index, mediaType },
      );
    }
    return {
      type: 'image',
      source: {
        type: 'base64',
        media_type: mediaType as 'image/png',
        data: dataUrl[2] ?? '',
      },
    };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw badRequest(
    `Message ${index} has an image that is neither an http(s) URL nor a base64 data URL`,
    {
      index,
    },
  );
}

function textAndImages(message: Message, index: number): (TextBlockParam | ImageBlockParam)[] {
  const blocks: (TextBlockParam | ImageBlockParam)[] = [];
  // Claude rejects empty text blocks.
  if (message.content !== '') blocks.push({ type: 'text', text: message.content });
  for (const url of message.images ?? []) blocks.push(imageBlock(url, index));
  return blocks;
}

function assistantBlocks(message: Message, index: number): ContentBlockParam[] {
  const kept = message.metadata?.[CLAUDE_CONTENT_METADATA_KEY];
  if (Array.isArray(kept)) return kept as ContentBlockParam[];
  if (message.images?.length) {
    throw badRequest(
      `Claude accepts images only on user and tool messages; message ${index} is an assistant message`,
      {
        index,
      },
    );
  }
  const blocks: ContentBlockParam[] = [];
  if (message.content !== '') blocks.push({ type: 'text', text: message.content });
  for (const call of message.toolCalls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.args });
  }
  return blocks;
}

function toolResultBlock(message: Message, index: number): ToolResultBlockParam {
  if (message.toolCallId === undefined) {
    throw badRequest(`Tool message ${index} has no toolCallId; Claude needs one`, { index });
  }
  const block: ToolResultBlockParam = {
    type: 'tool_result',
    tool_use_id: message.toolCallId,
    content: message.images?.length ? textAndImages(message, index) : message.content,
  };
  if (message.metadata?.isError === true) block.is_error = true;
  return block;
}

/** The `system` field and the turns of a Messages API request. */
export interface ClaudeConversation {
  system: string | undefined;
  messages: MessageParam[];
}

/**
 * Pantheon messages as a Messages API conversation: every system message joined into `system`,
 * tool results as `tool_result` blocks of a user turn, and consecutive turns of the same role merged.
 */
export function toClaudeConversation(messages: readonly Message[]): ClaudeConversation {
  const system: string[] = [];
  const turns: { role: 'user' | 'assistant'; content: ContentBlockParam[] }[] = [];
  const append = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: [...blocks] });
  };
  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
        if (message.images?.length) {
          throw badRequest(`Claude does not accept images on system messages (message ${index})`, {
            index,
          });
        }
        system.push(message.content);
        return;
      case 'user':
        append('user', textAndImages(message, index));
        return;
      case 'assistant':
        append('assistant', assistantBlocks(message, index));
        return;
      case 'tool':
        append('user', [toolResultBlock(message, index)]);
        return;
      default:
        throw badRequest(`Message ${index} has an unknown role "${String(message.role)}"`, {
          index,
        });
    }
  });
  return {
    system: system.length > 0 ? system.join('\n\n') : undefined,
    messages: turns.map(({ role, content }) => {
      const only = content[0];
      // A lone text block reads better, and means the same, as plain string content.
      if (content.length === 1 && only?.type === 'text') return { role, content: only.text };
      return { role, content };
    }),
  };
}

/** Tools as Messages API client tools. */
export function toClaudeTools(tools: readonly ToolSpec[]): Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: toolParametersToJsonSchema(tool.parameters) as Tool['input_schema'],
  }));
}

/** A Pantheon tool choice as Messages API `tool_choice`. */
export function toClaudeToolChoice(choice: ToolChoice): ClaudeToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.name };
}

/**
 * Token counts in Pantheon's shape; prompt-cache reads and writes count as input, and are
 * reported apart (`cacheReadTokens`, `cacheWriteTokens`) when there are any.
 */
export function toUsage(
  usage: Partial<ClaudeMessage['usage']> | null | undefined,
): LlmUsage | undefined {
  if (!isJsonObject(usage)) return undefined;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const counts: LlmUsage = {
    inputTokens: (usage.input_tokens ?? 0) + cacheWrite + cacheRead,
    outputTokens: usage.output_tokens ?? 0,
  };
  if (cacheRead > 0) counts.cacheReadTokens = cacheRead;
  if (cacheWrite > 0) counts.cacheWriteTokens = cacheWrite;
  return counts;
}

/** What a reply's metadata holds besides usage and the content blocks. */
export interface ReplyFacts {
  id?: string;
  model?: string;
  stopReason?: string | null;
  usage?: LlmUsage;
  droppedOptions?: string[];
}

/** The assistant `Message` for Claude's content blocks; bad tool input is an `LlmError`. */
export function assistantMessage(content: readonly ContentBlock[], facts: ReplyFacts): Message {
  let text = '';
  const thinking: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (!isJsonObject(block))
      throw invalidResponse('The Anthropic reply has a malformed content block');
    if (block.type === 'text') text += block.text;
    else if (block.type === 'thinking') {
      if (block.thinking) thinking.push(block.thinking);
    } else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        name: block.name,
        args: checkToolCallArguments(block.input, {
          provider,
          toolName: block.name,
          toolCallId: block.id,
        }),
      });
    }
  }
  const metadata: Record<string, unknown> = { provider };
  if (facts.id) metadata.id = facts.id;
  if (facts.model) metadata.model = facts.model;
  if (facts.stopReason) metadata.stopReason = facts.stopReason;
  if (facts.usage) metadata.usage = facts.usage;
  if (facts.droppedOptions?.length) metadata.droppedOptions = facts.droppedOptions;
  // Thinking (summarized on current models) is reasoning: kept apart from the answer's text.
  if (thinking.length > 0) metadata.reasoning = thinking.join('\n\n');
  metadata[CLAUDE_CONTENT_METADATA_KEY] = content;
  const message: Message = { role: 'assistant', content: text, metadata };
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  return message;
}

/** A Messages API reply as an assistant `Message`; a reply of the wrong shape is an `LlmError`. */
export function fromClaudeMessage(reply: ClaudeMessage, droppedOptions: string[]): Message {
  if (!isJsonObject(reply) || !Array.isArray(reply.content)) {
    throw invalidResponse('The Anthropic reply has no content array', {
      reply: JSON.stringify(reply)?.slice(0, 500),
    });
  }
  return assistantMessage(reply.content, {
    id: reply.id,
    model: reply.model,
    stopReason: reply.stop_reason,
    usage: toUsage(reply.usage),
    droppedOptions,
  });
}
