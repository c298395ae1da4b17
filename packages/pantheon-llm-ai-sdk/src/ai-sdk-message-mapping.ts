import type {
  LanguageModelV4Content,
  LanguageModelV4FilePart,
  LanguageModelV4FinishReason,
  LanguageModelV4FunctionTool,
  LanguageModelV4Message,
  LanguageModelV4Prompt,
  LanguageModelV4ToolChoice,
  LanguageModelV4ToolResultOutput,
  LanguageModelV4Usage,
  SharedV4ProviderMetadata,
  SharedV4Warning,
} from '@ai-sdk/provider';
import {
  LlmError,
  type LlmUsage,
  type Message,
  MessageSchema,
  type ToolCall,
  type ToolChoice,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import {
  check,
  describeIssues,
  isJsonObject,
  parseToolCallArguments,
  toolParametersToJsonSchema,
} from '@promethean-os/pantheon-core/adapter-kit';
import { type ImageOptions, imagePart } from './ai-sdk-images';

/**
 * Key of an assistant message's metadata that keeps the model's reply as AI SDK prompt parts
 * (reasoning, and the `providerOptions` that providers need back, such as Gemini's thought
 * signatures on tool calls or Claude's thinking signatures). It is set only when the reply has
 * more than text and tool calls to keep, and an assistant message that carries it is sent back
 * with exactly those parts.
 */
export const AI_SDK_CONTENT_METADATA_KEY = 'aiSdkContent';

/**
 * What a reply part that a Pantheon `Message` cannot hold does — a generated file (an image, an
 * audio clip), a reasoning file, a provider-specific `custom` part, a tool call the provider
 * executed itself and its result, a tool approval request:
 * `'reject'` fails the call with `LlmError` `LLM_UNSUPPORTED_CONTENT`; `'metadata'` keeps the
 * parts, JSON-safe (bytes as base64), in the reply's `metadata.unsupportedContent`.
 */
export type UnsupportedContentPolicy = 'reject' | 'metadata';

function badRequest(provider: string, message: string, details: Record<string, unknown>) {
  return new LlmError(message, details, { code: 'LLM_BAD_REQUEST', provider, retryable: false });
}

export function invalidResponse(
  provider: string,
  message: string,
  details?: Record<string, unknown>,
): LlmError {
  return new LlmError(message, details, { code: 'LLM_INVALID_RESPONSE', provider });
}

/** Bytes as base64, without `node:` APIs (the package also runs in browsers and on the edge). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}

/** A value with its bytes as base64 and its URLs as strings, so that it survives JSON. */
function jsonSafe(value: unknown): unknown {
  if (value instanceof Uint8Array) return toBase64(value);
  if (value instanceof URL) return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (isJsonObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, entry]) => entry !== undefined)
        .map(([key, entry]) => [key, jsonSafe(entry)]),
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Requests

type AssistantPart = Extract<LanguageModelV4Message, { role: 'assistant' }>['content'][number];
const keptPartTypes = new Set([
  'text',
  'reasoning',
  'reasoning-file',
  'file',
  'custom',
  'tool-call',
  'tool-result',
]);

/** Kept parts (see `AI_SDK_CONTENT_METADATA_KEY`) back in prompt form: URLs revived. */
function keptAssistantParts(kept: unknown[], index: number, provider: string): AssistantPart[] {
  return kept.map((part, partIndex) => {
    if (!isJsonObject(part) || typeof part.type !== 'string' || !keptPartTypes.has(part.type)) {
      throw badRequest(
        provider,
        `Message ${index} has a malformed metadata.${AI_SDK_CONTENT_METADATA_KEY}[${partIndex}]`,
        { index, part: partIndex },
      );
    }
    const data = part.data;
    if (isJsonObject(data) && data.type === 'url' && typeof data.url === 'string') {
      return { ...part, data: { type: 'url', url: new URL(data.url) } } as AssistantPart;
    }
    return part as unknown as AssistantPart;
  });
}

function checkMessages(messages: readonly Message[], provider: string): void {
  if (!Array.isArray(messages)) {
    throw badRequest(provider, 'The messages to a model must be an array', {});
  }
  messages.forEach((message, index) => {
    const checked = check<Message>(MessageSchema, message, `messages[${index}]`);
    if (!checked.ok) {
      throw badRequest(provider, `Malformed message: ${describeIssues(checked.issues)}`, {
        index,
        issues: checked.issues,
      });
    }
  });
}

function toolNameOf(messages: readonly Message[], index: number, toolCallId: string) {
  for (let earlier = index - 1; earlier >= 0; earlier--) {
    const call = messages[earlier]?.toolCalls?.find((candidate) => candidate.id === toolCallId);
    if (call) return call.name;
  }
  return undefined;
}

async function filesOf(
  message: Message,
  index: number,
  provider: string,
  images: ImageOptions,
): Promise<LanguageModelV4FilePart[]> {
  return Promise.all(
    (message.images ?? []).map((image) => imagePart(image, { provider, index }, images)),
  );
}

/**
 * Pantheon messages as an AI SDK prompt: `system` as a system message, `user` as text and file
 * parts (`images`, see `imagePart`), `assistant` as text, file and `tool-call` parts (or the
 * parts kept in its metadata), `tool` as a `tool-result` (`error-text` when `metadata.isError`
 * is true). Malformed messages are `LlmError` `LLM_BAD_REQUEST`.
 */
export async function toPrompt(
  messages: readonly Message[],
  provider: string,
  images: ImageOptions,
): Promise<LanguageModelV4Prompt> {
  checkMessages(messages, provider);
  return Promise.all(
    messages.map(async (message, index): Promise<LanguageModelV4Message> => {
      switch (message.role) {
        case 'system':
          if (message.images?.length) {
            throw badRequest(provider, `System message ${index} cannot carry images`, { index });
          }
          return { role: 'system', content: message.content };
        case 'user': {
          const files = await filesOf(message, index, provider, images);
          const text = message.content === '' && files.length > 0 ? [] : [message.content];
          return {
            role: 'user',
            content: [...text.map((value) => ({ type: 'text' as const, text: value })), ...files],
          };
        }
        case 'assistant': {
          const kept = message.metadata?.[AI_SDK_CONTENT_METADATA_KEY];
          if (Array.isArray(kept)) {
            return { role: 'assistant', content: keptAssistantParts(kept, index, provider) };
          }
          const content: AssistantPart[] = [];
          if (message.content !== '') content.push({ type: 'text', text: message.content });
          content.push(...(await filesOf(message, index, provider, images)));
          for (const call of message.toolCalls ?? []) {
            content.push({
              type: 'tool-call',
              toolCallId: call.id,
              toolName: call.name,
              input: call.args,
            });
          }
          if (content.length === 0) content.push({ type: 'text', text: '' });
          return { role: 'assistant', content };
        }
        case 'tool':
          return { role: 'tool', content: [await toolResult(messages, index, provider, images)] };
        default:
          throw badRequest(provider, `Message ${index} has an unknown role`, { index });
      }
    }),
  );
}

async function toolResult(
  messages: readonly Message[],
  index: number,
  provider: string,
  images: ImageOptions,
) {
  const message = messages[index] as Message;
  const { toolCallId } = message;
  if (toolCallId === undefined) {
    throw badRequest(provider, `Tool message ${index} has no toolCallId`, { index });
  }
  const toolName = message.name ?? toolNameOf(messages, index, toolCallId);
  if (toolName === undefined) {
    throw badRequest(
      provider,
      `Tool message ${index} has no name, and no earlier assistant message has a tool call "${toolCallId}"`,
      { index, toolCallId },
    );
  }
  const isError = message.metadata?.isError === true;
  let output: LanguageModelV4ToolResultOutput;
  if (message.images?.length) {
    output = {
      type: 'content',
      value: [
        ...(message.content === '' ? [] : [{ type: 'text' as const, text: message.content }]),
        ...(await filesOf(message, index, provider, images)).map(({ data, mediaType }) => ({
          type: 'file' as const,
          data,
          mediaType,
        })),
      ],
    };
  } else {
    output = { type: isError ? 'error-text' : 'text', value: message.content };
  }
  return { type: 'tool-result' as const, toolCallId, toolName, output };
}

/** Tools as AI SDK function tools, their parameters (zod or JSON Schema) as JSON Schema. */
export function toFunctionTools(tools: readonly ToolSpec[]): LanguageModelV4FunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    inputSchema: toolParametersToJsonSchema(
      tool.parameters,
    ) as LanguageModelV4FunctionTool['inputSchema'],
  }));
}

/** A Pantheon tool choice as the AI SDK's. */
export function toToolChoice(choice: ToolChoice): LanguageModelV4ToolChoice {
  if (typeof choice === 'string') return { type: choice };
  return { type: 'tool', toolName: choice.name };
}

// ---------------------------------------------------------------------------------------------
// Replies

/** Token counts in Pantheon's shape; none when the provider reported neither total. */
export function toUsage(usage: LanguageModelV4Usage | undefined): LlmUsage | undefined {
  const input = usage?.inputTokens?.total;
  const output = usage?.outputTokens?.total;
  if (input === undefined && output === undefined) return undefined;
  const counts: LlmUsage = { inputTokens: input ?? 0, outputTokens: output ?? 0 };
  if (usage?.inputTokens?.cacheRead) counts.cacheReadTokens = usage.inputTokens.cacheRead;
  if (usage?.inputTokens?.cacheWrite) counts.cacheWriteTokens = usage.inputTokens.cacheWrite;
  if (usage?.outputTokens?.reasoning) counts.reasoningTokens = usage.outputTokens.reasoning;
  return counts;
}

/** What a reply's metadata holds besides what its content parts give. */
export interface ReplyFacts {
  /** The model's `provider`, e.g. `'mistral.chat'`. */
  provider: string;
  /** The model's id, unless the response names the model that answered. */
  modelId: string;
  responseId?: string | undefined;
  responseModelId?: string | undefined;
  finishReason?: LanguageModelV4FinishReason | undefined;
  usage?: LanguageModelV4Usage | undefined;
  warnings?: readonly SharedV4Warning[] | undefined;
  providerMetadata?: SharedV4ProviderMetadata | undefined;
  /** Call options that were not sent (see `AiSdkLlmAdapter`). */
  droppedOptions?: readonly string[] | undefined;
}

/** Whether a reply part has no place in a Pantheon `Message`. */
export function isUnsupportedPart(part: LanguageModelV4Content): boolean {
  switch (part.type) {
    case 'text':
    case 'reasoning':
    case 'source':
      return false;
    case 'tool-call':
      return part.providerExecuted === true;
    default:
      return true;
  }
}

function describePart(part: LanguageModelV4Content): Record<string, unknown> {
  const described: Record<string, unknown> = { type: part.type };
  if ('mediaType' in part) described.mediaType = part.mediaType;
  if ('kind' in part) described.kind = part.kind;
  if ('toolName' in part) described.toolName = part.toolName;
  return described;
}

/**
 * The `LlmError` `LLM_UNSUPPORTED_CONTENT` for reply parts a Pantheon `Message` cannot hold;
 * `details.parts` lists their `type` (and `mediaType`, `kind` or `toolName`).
 */
export function unsupportedContentError(
  provider: string,
  parts: readonly LanguageModelV4Content[],
): LlmError {
  const described = parts.map(describePart);
  const names = described
    .map((part) =>
      [part.type, part.mediaType ?? part.kind ?? part.toolName].filter(Boolean).join(' '),
    )
    .join(', ');
  return new LlmError(
    `${provider} answered with content a Pantheon message cannot hold (${names}); pass { unsupportedContent: 'metadata' } to keep it in the reply's metadata.unsupportedContent`,
    { parts: described },
    { code: 'LLM_UNSUPPORTED_CONTENT', provider, retryable: false },
  );
}

/** A reply part as the prompt part that sends it back, or `undefined` when prompts have none. */
function promptPart(part: LanguageModelV4Content, args?: Record<string, unknown>): unknown {
  const providerOptions =
    'providerMetadata' in part && part.providerMetadata !== undefined
      ? { providerOptions: part.providerMetadata }
      : {};
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return { type: part.type, text: part.text, ...providerOptions };
    case 'file':
    case 'reasoning-file':
      return { type: part.type, mediaType: part.mediaType, data: part.data, ...providerOptions };
    case 'custom':
      return { type: 'custom', kind: part.kind, ...providerOptions };
    case 'tool-call':
      return {
        type: 'tool-call',
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        input: args ?? safeJson(part.input),
        ...(part.providerExecuted ? { providerExecuted: true } : {}),
        ...providerOptions,
      };
    case 'tool-result':
      return {
        type: 'tool-result',
        toolCallId: part.toolCallId,
        toolName: part.toolName,
        output: { type: part.isError ? 'error-json' : 'json', value: part.result },
        ...providerOptions,
      };
    default:
      return undefined;
  }
}

/** Provider metadata without its empty entries (`{ local: {} }`), or `undefined` when none is left. */
function nonEmpty(metadata: SharedV4ProviderMetadata | undefined) {
  const entries = Object.entries(metadata ?? {}).filter(
    ([, value]) => isJsonObject(value) && Object.keys(value).length > 0,
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The assistant `Message` for a model's reply parts: text parts joined into `content`, tool
 * calls (their JSON input parsed; `LLM_INVALID_RESPONSE` when it is not a JSON object) in
 * `toolCalls`, reasoning in `metadata.reasoning`, sources in `metadata.sources`, and the parts a
 * message cannot hold handled by `policy`. `metadata` also has `provider`, `model`, `id`,
 * `finishReason` (the unified one) and `rawFinishReason`, `usage`, `warnings`,
 * `providerMetadata` and `droppedOptions` when there are any.
 */
export function assistantMessage(
  content: readonly LanguageModelV4Content[],
  facts: ReplyFacts,
  policy: UnsupportedContentPolicy,
): Message {
  const { provider } = facts;
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  const sources: unknown[] = [];
  const unsupported: LanguageModelV4Content[] = [];
  const kept: unknown[] = [];
  let keep = false;
  for (const part of content) {
    const received: unknown = part;
    if (!isJsonObject(received) || typeof received.type !== 'string') {
      throw invalidResponse(provider, `${provider} sent a malformed content part`, {
        part: JSON.stringify(part)?.slice(0, 200),
      });
    }
    if (isUnsupportedPart(part)) unsupported.push(part);
    let args: Record<string, unknown> | undefined;
    switch (part.type) {
      case 'text':
        text += part.text;
        break;
      case 'reasoning':
        reasoning += part.text;
        keep = true;
        break;
      case 'source':
        sources.push(jsonSafe(part));
        break;
      case 'tool-call':
        if (part.providerExecuted) break;
        args = parseToolCallArguments(part.input, {
          provider,
          toolName: part.toolName,
          toolCallId: part.toolCallId,
        });
        toolCalls.push({ id: part.toolCallId, name: part.toolName, args });
        break;
    }
    if ('providerMetadata' in part && nonEmpty(part.providerMetadata)) keep = true;
    const sentBack = promptPart(part, args);
    if (sentBack !== undefined) kept.push(jsonSafe(sentBack));
  }
  if (unsupported.length > 0 && policy === 'reject') {
    throw unsupportedContentError(provider, unsupported);
  }

  const metadata: Record<string, unknown> = {
    provider,
    model: facts.responseModelId ?? facts.modelId,
  };
  if (facts.responseId) metadata.id = facts.responseId;
  if (facts.finishReason) {
    metadata.finishReason = facts.finishReason.unified;
    if (facts.finishReason.raw !== undefined) metadata.rawFinishReason = facts.finishReason.raw;
  }
  const usage = toUsage(facts.usage);
  if (usage) metadata.usage = usage;
  if (facts.warnings?.length) metadata.warnings = jsonSafe(facts.warnings);
  const providerMetadata = nonEmpty(facts.providerMetadata);
  if (providerMetadata) metadata.providerMetadata = jsonSafe(providerMetadata);
  if (facts.droppedOptions?.length) metadata.droppedOptions = [...facts.droppedOptions];
  if (reasoning !== '') metadata.reasoning = reasoning;
  if (sources.length > 0) metadata.sources = sources;
  if (unsupported.length > 0) {
    metadata.unsupportedContent = unsupported.map(jsonSafe);
    keep = true;
  }
  if (keep) metadata[AI_SDK_CONTENT_METADATA_KEY] = kept;
  const message: Message = { role: 'assistant', content: text, metadata };
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  return message;
}
