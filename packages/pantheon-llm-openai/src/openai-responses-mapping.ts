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
  llmErrorCodeForStatus,
  toolParametersToJsonSchema,
} from '@promethean-os/pantheon-core/adapter-kit';
import type {
  FunctionTool,
  Response,
  ResponseError,
  ResponseFunctionCallOutputItemList,
  ResponseInputContent,
  ResponseInputItem,
  ResponseReasoningItem,
  ResponseUsage,
  ToolChoiceFunction,
  ToolChoiceOptions,
} from 'openai/resources/responses/responses';
import { assistantMessage, invalidResponse, toToolCall, usageOf } from './openai-message-mapping';

const provider = 'openai';

/**
 * Key of an assistant message's metadata that keeps the reasoning items of a Responses API reply
 * (with their `encrypted_content`). Reasoning models need them back, before the function calls
 * they led to, when the conversation continues; they are sent as they were received.
 */
export const OPENAI_REASONING_METADATA_KEY = 'openaiReasoning';

function badRequest(message: string, details: Record<string, unknown>): LlmError {
  return new LlmError(message, details, { code: 'LLM_BAD_REQUEST', provider });
}

function inputContent(message: Message): string | ResponseInputContent[] {
  if (!message.images?.length) return message.content;
  const parts: ResponseInputContent[] = [];
  if (message.content !== '') parts.push({ type: 'input_text', text: message.content });
  for (const url of message.images) {
    parts.push({ type: 'input_image', image_url: url, detail: 'auto' });
  }
  return parts;
}

function keptReasoning(message: Message): ResponseInputItem[] {
  const kept = message.metadata?.[OPENAI_REASONING_METADATA_KEY];
  return Array.isArray(kept) ? (kept as ResponseReasoningItem[]) : [];
}

/** The `instructions` and `input` items of a Responses API request. */
export interface ResponsesConversation {
  instructions: string | undefined;
  input: ResponseInputItem[];
}

/**
 * Pantheon messages as a Responses API request: the system messages before the first other
 * message as `instructions`, later ones as `system` input messages; user messages with
 * `input_text` and `input_image` parts; an assistant message as its kept reasoning items, its text
 * and one `function_call` item per tool call; tool results as `function_call_output` items.
 */
export function toResponsesConversation(messages: readonly Message[]): ResponsesConversation {
  const instructions: string[] = [];
  const input: ResponseInputItem[] = [];
  messages.forEach((message, index) => {
    if (message.images?.length && message.role !== 'user' && message.role !== 'tool') {
      throw badRequest(
        `The OpenAI Responses API accepts images only on user and tool messages; message ${index} is a ${message.role} message`,
        { index, role: message.role },
      );
    }
    switch (message.role) {
      case 'system':
        if (input.length === 0) instructions.push(message.content);
        else input.push({ role: 'system', content: message.content });
        return;
      case 'user':
        input.push({ role: 'user', content: inputContent(message) });
        return;
      case 'assistant':
        input.push(...keptReasoning(message));
        if (message.content !== '') input.push({ role: 'assistant', content: message.content });
        for (const call of message.toolCalls ?? []) {
          input.push({
            type: 'function_call',
            call_id: call.id,
            name: call.name,
            arguments: JSON.stringify(call.args),
          });
        }
        return;
      case 'tool': {
        if (message.toolCallId === undefined) {
          throw badRequest(`Tool message ${index} has no toolCallId; OpenAI needs one`, { index });
        }
        input.push({
          type: 'function_call_output',
          call_id: message.toolCallId,
          // The same input_text and input_image parts, which a function output may hold too.
          output: inputContent(message) as string | ResponseFunctionCallOutputItemList,
        });
        return;
      }
      default:
        throw badRequest(`Message ${index} has an unknown role "${String(message.role)}"`, {
          index,
        });
    }
  });
  return {
    instructions: instructions.length > 0 ? instructions.join('\n\n') : undefined,
    input,
  };
}

/** Tools as Responses API function tools (not strict: tool schemas need not meet its rules). */
export function toResponsesTools(tools: readonly ToolSpec[]): FunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: toolParametersToJsonSchema(tool.parameters),
    strict: false,
  }));
}

/** A Pantheon tool choice as Responses API `tool_choice`. */
export function toResponsesToolChoice(choice: ToolChoice): ToolChoiceOptions | ToolChoiceFunction {
  if (typeof choice === 'string') return choice;
  return { type: 'function', name: choice.name };
}

/** Token counts in Pantheon's shape. */
export function toResponsesUsage(usage: ResponseUsage | null | undefined): LlmUsage | undefined {
  if (!isJsonObject(usage)) return undefined;
  return usageOf(
    usage.input_tokens ?? 0,
    usage.output_tokens ?? 0,
    usage.input_tokens_details?.cached_tokens,
    usage.output_tokens_details?.reasoning_tokens,
  );
}

/** The `LlmError` of a response that failed (`status: 'failed'`, or a `response.failed` event). */
export function responseFailure(error: ResponseError | null | undefined): LlmError {
  const code =
    error?.code === 'rate_limit_exceeded'
      ? llmErrorCodeForStatus(429)
      : error?.code === 'server_error' || error?.code === undefined
        ? 'LLM_SERVER'
        : 'LLM_BAD_REQUEST';
  return new LlmError(
    `OpenAI failed the response: ${error?.message ?? 'no error given'}`,
    { providerCode: error?.code },
    { code, provider },
  );
}

/** The text of a reasoning item: its summaries (or, from open models, its reasoning text). */
function reasoningOf(item: ResponseReasoningItem): string {
  const summary = (item.summary ?? []).map((part) => part.text).filter((text) => text !== '');
  if (summary.length > 0) return summary.join('\n\n');
  return (item.content ?? []).map((part) => part.text).join('');
}

/** A Responses API reply as an assistant `Message`; a reply of the wrong shape is an `LlmError`. */
export function fromResponse(response: Response): Message {
  if (!isJsonObject(response) || !Array.isArray(response.output)) {
    throw invalidResponse('The OpenAI response has no output array', {
      reply: JSON.stringify(response)?.slice(0, 500),
    });
  }
  if (response.status === 'failed' || isJsonObject(response.error)) {
    throw responseFailure(response.error);
  }
  let text = '';
  let refusal = '';
  const reasoning: string[] = [];
  const reasoningItems: ResponseReasoningItem[] = [];
  const toolCalls: ToolCall[] = [];
  for (const item of response.output) {
    if (!isJsonObject(item)) throw invalidResponse('The OpenAI response has a malformed item');
    if (item.type === 'message') {
      for (const part of item.content ?? []) {
        if (part.type === 'output_text') text += part.text;
        else if (part.type === 'refusal') refusal += part.refusal;
      }
    } else if (item.type === 'function_call') {
      toolCalls.push(toToolCall(item.call_id, item.name, item.arguments ?? ''));
    } else if (item.type === 'reasoning') {
      reasoningItems.push(item);
      const summary = reasoningOf(item);
      if (summary !== '') reasoning.push(summary);
    }
  }
  const finishReason =
    response.status === 'incomplete'
      ? (response.incomplete_details?.reason ?? 'incomplete')
      : toolCalls.length > 0
        ? 'tool_calls'
        : 'stop';
  const message = assistantMessage(text, toolCalls, {
    id: response.id,
    model: response.model,
    finishReason,
    usage: toResponsesUsage(response.usage),
    refusal: refusal || undefined,
    reasoning: reasoning.length > 0 ? reasoning.join('\n\n') : undefined,
  });
  if (reasoningItems.length > 0) {
    (message.metadata as Record<string, unknown>)[OPENAI_REASONING_METADATA_KEY] = reasoningItems;
  }
  return message;
}
