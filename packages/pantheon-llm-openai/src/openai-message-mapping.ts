import {
  LlmError,
  type LlmUsage,
  type Message,
  type ToolCall,
  type ToolChoice,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import {
  isJsonObject,
  parseToolCallArguments,
  toolParametersToJsonSchema,
} from '@promethean-os/pantheon-core/adapter-kit';
import type {
  ChatCompletion,
  ChatCompletionContentPart,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';

const provider = 'openai';

function badRequest(message: string, details: Record<string, unknown>): LlmError {
  return new LlmError(message, details, { code: 'LLM_BAD_REQUEST', provider });
}

export function invalidResponse(message: string, details?: Record<string, unknown>): LlmError {
  return new LlmError(message, details, { code: 'LLM_INVALID_RESPONSE', provider });
}

function userContent(message: Message): string | ChatCompletionContentPart[] {
  if (!message.images?.length) return message.content;
  const parts: ChatCompletionContentPart[] = [];
  if (message.content !== '') parts.push({ type: 'text', text: message.content });
  for (const url of message.images) parts.push({ type: 'image_url', image_url: { url } });
  return parts;
}

/** Pantheon messages as Chat Completions messages. */
export function toChatMessages(messages: readonly Message[]): ChatCompletionMessageParam[] {
  return messages.map((message, index): ChatCompletionMessageParam => {
    if (message.images?.length && message.role !== 'user') {
      throw badRequest(
        `OpenAI Chat Completions accepts images only on user messages; message ${index} is a ${message.role} message`,
        { index, role: message.role },
      );
    }
    const named = message.name === undefined ? {} : { name: message.name };
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content, ...named };
      case 'user':
        return { role: 'user', content: userContent(message), ...named };
      case 'assistant': {
        const toolCalls = message.toolCalls ?? [];
        if (toolCalls.length === 0)
          return { role: 'assistant', content: message.content, ...named };
        return {
          role: 'assistant',
          content: message.content === '' ? null : message.content,
          ...named,
          tool_calls: toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: JSON.stringify(call.args) },
          })),
        };
      }
      case 'tool':
        if (message.toolCallId === undefined) {
          throw badRequest(`Tool message ${index} has no toolCallId; OpenAI needs one`, { index });
        }
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
      default:
        throw badRequest(`Message ${index} has an unknown role "${String(message.role)}"`, {
          index,
        });
    }
  });
}

/** Tools as Chat Completions function tools. */
export function toChatTools(tools: readonly ToolSpec[]): ChatCompletionFunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: toolParametersToJsonSchema(tool.parameters),
    },
  }));
}

/** A Pantheon tool choice as Chat Completions `tool_choice`. */
export function toChatToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  if (typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.name } };
}

/** Token counts in Pantheon's shape; cached and reasoning tokens when there are any. */
export function toUsage(usage: CompletionUsage | null | undefined): LlmUsage | undefined {
  if (!usage) return undefined;
  return usageOf(
    usage.prompt_tokens,
    usage.completion_tokens,
    usage.prompt_tokens_details?.cached_tokens,
    usage.completion_tokens_details?.reasoning_tokens,
  );
}

/** An `LlmUsage`, with the cached and reasoning counts only when the provider reports some. */
export function usageOf(
  inputTokens: number,
  outputTokens: number,
  cachedTokens: number | null | undefined,
  reasoningTokens: number | null | undefined,
): LlmUsage {
  const usage: LlmUsage = { inputTokens, outputTokens };
  if (cachedTokens) usage.cacheReadTokens = cachedTokens;
  if (reasoningTokens) usage.reasoningTokens = reasoningTokens;
  return usage;
}

/** A Chat Completions tool call as a Pantheon tool call; bad argument text is an `LlmError`. */
export function toToolCall(id: string | undefined, name: string, argumentText: string): ToolCall {
  // Some OpenAI-compatible servers leave out the id; the transcript still needs one to pair results.
  const callId = id || `call_${crypto.randomUUID()}`;
  return {
    id: callId,
    name,
    args: parseToolCallArguments(argumentText, { provider, toolName: name, toolCallId: callId }),
  };
}

/** What a reply's metadata holds besides usage. */
export interface ReplyFacts {
  id?: string;
  model?: string;
  finishReason?: string | null;
  usage?: LlmUsage;
  refusal?: string | null;
  /** Reasoning text (OpenAI-compatible servers' `reasoning_content`, Responses API summaries). */
  reasoning?: string;
}

/** Builds the assistant `Message` Pantheon returns. */
export function assistantMessage(
  content: string,
  toolCalls: ToolCall[],
  facts: ReplyFacts,
): Message {
  const metadata: Record<string, unknown> = { provider };
  if (facts.id) metadata.id = facts.id;
  if (facts.model) metadata.model = facts.model;
  if (facts.finishReason) metadata.finishReason = facts.finishReason;
  if (facts.usage) metadata.usage = facts.usage;
  if (facts.refusal) metadata.refusal = facts.refusal;
  if (facts.reasoning) metadata.reasoning = facts.reasoning;
  const message: Message = { role: 'assistant', content, metadata };
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  return message;
}

/** A Chat Completions reply as an assistant `Message`; a reply of the wrong shape is an `LlmError`. */
export function fromChatCompletion(completion: ChatCompletion): Message {
  const choice = isJsonObject(completion) ? completion.choices?.[0] : undefined;
  const reply = choice?.message;
  if (!isJsonObject(reply)) {
    throw invalidResponse('The OpenAI reply has no choices[0].message', {
      reply: JSON.stringify(completion)?.slice(0, 500),
    });
  }
  if (reply.content !== null && reply.content !== undefined && typeof reply.content !== 'string') {
    throw invalidResponse('The OpenAI reply has a non-string message content');
  }
  const toolCalls = (reply.tool_calls ?? []).map((call) => {
    if (call.type !== 'function' || !isJsonObject(call.function)) {
      throw invalidResponse(`The OpenAI reply has a tool call of unsupported type "${call.type}"`);
    }
    return toToolCall(call.id, call.function.name, call.function.arguments ?? '');
  });
  return assistantMessage(reply.content ?? '', toolCalls, {
    id: completion.id,
    model: completion.model,
    finishReason: choice?.finish_reason,
    usage: toUsage(completion.usage),
    refusal: reply.refusal,
    reasoning: reasoningText(reply),
  });
}

/**
 * The reasoning an OpenAI-compatible server puts beside the content (`reasoning_content` from
 * DeepSeek, vLLM and llama.cpp; `reasoning` from Ollama and OpenRouter); OpenAI itself sends none
 * on Chat Completions.
 */
export function reasoningText(part: object): string | undefined {
  const fields = part as { reasoning_content?: unknown; reasoning?: unknown };
  if (typeof fields.reasoning_content === 'string' && fields.reasoning_content !== '')
    return fields.reasoning_content;
  if (typeof fields.reasoning === 'string' && fields.reasoning !== '') return fields.reasoning;
  return undefined;
}
