import type {
  LlmCompleteOptions,
  LlmStreamEvent,
  Message,
  PantheonErrorCode,
  ToolCall,
  ToolChoice,
} from '@promethean-os/pantheon-core';

/** A message as a cassette keys it: no metadata, tool call ids renumbered. */
export interface CassetteMessage {
  role: Message['role'];
  content: string;
  name?: string;
  images?: string[];
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

/**
 * The parts of a model request that decide its reply: the messages and the options `model`,
 * `tools` (their names, sorted), `toolChoice` and the name of `output`. `temperature`, `maxTokens` and `signal` are left
 * out, so tuning them does not invalidate a recording.
 */
export interface CassetteRequest {
  messages: CassetteMessage[];
  model?: string;
  tools?: string[];
  toolChoice?: ToolChoice;
  /** The name of the structured `output` asked for (`'output'` when it has none). */
  output?: string;
}

/** A recorded failure, replayed as an `LlmError` with the same code, status and message. */
export interface CassetteError {
  name: string;
  /** The recorded error's code (a registered code of core or of the adapter that was recorded). */
  code: PantheonErrorCode;
  message: string;
  status?: number;
  retryable?: boolean;
}

/** One request and what the model did: a reply (and, if it was streamed, the events) or an error. */
export interface CassetteInteraction {
  request: CassetteRequest;
  reply?: Message;
  events?: LlmStreamEvent[];
  error?: CassetteError;
}

/** The JSON document `RecordingLlmAdapter` writes and `ReplayLlmAdapter` reads. */
export interface Cassette {
  version: 1;
  interactions: CassetteInteraction[];
}

/**
 * Normalizes a request for recording and matching. Tool call ids are replaced by `call_1`,
 * `call_2`, … in order of appearance (in `toolCalls` and `toolCallId` alike), because the ids in
 * a conversation's history are random (the orchestrator generates them) while their pairing is
 * what matters.
 */
export function normalizeRequest(
  messages: Message[],
  options: LlmCompleteOptions = {},
): CassetteRequest {
  const ids = new Map<string, string>();
  const renumber = (id: string) => {
    let mapped = ids.get(id);
    if (mapped === undefined) {
      mapped = `call_${ids.size + 1}`;
      ids.set(id, mapped);
    }
    return mapped;
  };
  const normalized: CassetteMessage[] = messages.map((message) => {
    const out: CassetteMessage = { role: message.role, content: message.content };
    if (message.name !== undefined) out.name = message.name;
    if (message.images !== undefined) out.images = [...message.images];
    if (message.toolCalls !== undefined) {
      out.toolCalls = message.toolCalls.map((call) => ({
        id: renumber(call.id),
        name: call.name,
        args: structuredClone(call.args),
      }));
    }
    if (message.toolCallId !== undefined) out.toolCallId = renumber(message.toolCallId);
    return out;
  });
  const request: CassetteRequest = { messages: normalized };
  if (options.model !== undefined) request.model = options.model;
  if (options.tools !== undefined && options.tools.length > 0) {
    request.tools = options.tools.map((tool) => tool.name).sort();
  }
  if (options.toolChoice !== undefined) request.toolChoice = structuredClone(options.toolChoice);
  if (options.output !== undefined) request.output = options.output.name ?? 'output';
  return request;
}

/** The last `user` message's content, to name a request in errors. */
export function lastUserMessage(request: CassetteRequest): string | undefined {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index];
    if (message?.role === 'user') return message.content;
  }
  return undefined;
}
