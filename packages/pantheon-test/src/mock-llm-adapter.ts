import {
  type LlmCompleteOptions,
  LlmError,
  type LlmPort,
  type LlmStreamEvent,
  type Message,
  MessageSchema,
  type ValidationIssue,
} from '@promethean-os/pantheon-core';
import {
  check,
  describeIssues,
  describeValue,
  invalidArgument,
  llmAbortError,
  llmOutput,
} from '@promethean-os/pantheon-core/adapter-kit';
import { copyData } from './internal/copy-data';
import { assertValidMessages } from './internal/invalid';
import { type RecordedCalls, recorded } from './recorded-calls';

/** Computes a reply from the request; may be async. Its result is validated when it is used. */
export type MockLlmResponder = (
  messages: Message[],
  opts: LlmCompleteOptions,
) => Message | Promise<Message>;

/**
 * What the mock answers with: a fixed message, a function of the request, or (in
 * `queueResponses` only) an `Error` that the call rejects with.
 */
export type MockLlmResponse = Message | MockLlmResponder;

/** One recorded call: copies of the messages and a shallow copy of the options. */
export interface MockLlmCall {
  messages: Message[];
  /** `tools` is a copied array of the same `ToolSpec` objects; `signal` is the one passed. */
  opts: LlmCompleteOptions;
}

/** A reply must be a well-formed `assistant` message. */
function replyIssues(value: unknown, prefix: string): ValidationIssue[] {
  const checked = check<Message>(MessageSchema, value, prefix);
  if (!checked.ok) return checked.issues;
  if (checked.value.role !== 'assistant') {
    return [
      {
        path: prefix === '' ? 'role' : `${prefix}.role`,
        message: `a model reply has role "assistant", received "${checked.value.role}"`,
      },
    ];
  }
  return [];
}

function lastUserContent(messages: readonly Message[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message?.role === 'user') return message.content;
  }
  return '';
}

/**
 * Every event of a model stream, in order (`finish` last), for tests that check what an adapter
 * streams.
 *
 * @example
 * const events = await collectStream(llm.stream!([{ role: 'user', content: 'Hi' }]));
 * events.filter((event) => event.type === 'reasoning-delta');
 */
export async function collectStream(
  events: AsyncIterable<LlmStreamEvent>,
): Promise<LlmStreamEvent[]> {
  const collected: LlmStreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

/** Splits text into word-sized deltas whose concatenation is the text. */
export function splitIntoDeltas(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/**
 * The events of a streamed `message`: its reasoning (a string `metadata.reasoning`, where adapters
 * keep it) as word-sized `reasoning-delta`s, word-sized text deltas, then one event per tool call,
 * then `finish`.
 */
export function streamEventsOf(message: Message): LlmStreamEvent[] {
  const reasoning = message.metadata?.reasoning;
  const events: LlmStreamEvent[] = [];
  if (typeof reasoning === 'string') {
    for (const delta of splitIntoDeltas(reasoning)) events.push({ type: 'reasoning-delta', delta });
  }
  for (const delta of splitIntoDeltas(message.content)) events.push({ type: 'text-delta', delta });
  for (const toolCall of message.toolCalls ?? []) {
    events.push({ type: 'tool-call', toolCall: copyData(toolCall) });
  }
  events.push({ type: 'finish', message: copyData(message) });
  return events;
}

/**
 * An `LlmPort` for unit tests that answers with what the test set up and records every call.
 *
 * A call is answered, in this order, by: the error set with `setError` (rejects); the next
 * queued response (`queueResponses`, consumed in order); the sticky default (`setResponse`);
 * and when nothing is configured, an `assistant` message that echoes the content of the last
 * `user` message (`''` when there is none) — deterministic, and enough for an actor that
 * "replies" to be seen replying.
 *
 * Every configured reply is validated where it is given (`ConfigError` `INVALID_ARGUMENT`);
 * replies computed by a function are validated when used (`LlmError` `LLM_INVALID_RESPONSE`);
 * malformed request messages reject with `LlmError` `LLM_BAD_REQUEST`, and a call whose `signal`
 * aborted with `LlmError` `LLM_ABORTED`, like the real adapters. A reply may carry
 * `toolCalls`, which `complete` returns as given and `stream` emits as `tool-call` events.
 * With `output`, the reply's content is parsed and validated as the real adapters do (`llmOutput`):
 * it comes back with `output` set, or the call rejects with `LlmError` `LLM_OUTPUT_INVALID`.
 *
 * @example
 * const llm = new MockLlmAdapter();
 * llm.setResponse({ role: 'assistant', content: 'Hello! How can I help you today?' });
 * llm.queueResponses({
 *   role: 'assistant',
 *   content: '',
 *   toolCalls: [{ id: 'call_1', name: 'get-weather', args: { location: 'Paris' } }],
 * });
 * await llm.complete([{ role: 'user', content: 'Weather in Paris?' }]); // the tool call
 * await llm.complete([{ role: 'user', content: 'Thanks' }]); // the sticky default
 * llm.getCalls()[0].messages; // [{ role: 'user', content: 'Weather in Paris?' }]
 */
export class MockLlmAdapter implements LlmPort {
  private defaultResponse: MockLlmResponse | undefined;
  private readonly queue: (MockLlmResponse | Error)[] = [];
  private error: Error | undefined;
  private calls: MockLlmCall[] = [];

  /** Sets the sticky default reply: a message, or a function of `(messages, opts)`. */
  setResponse(response: MockLlmResponse): this {
    this.defaultResponse = this.validated('MockLlmAdapter.setResponse', 'response', response);
    return this;
  }

  /**
   * Queues replies consumed one per call, in order, before the sticky default. An `Error` in the
   * queue makes that one call reject with it (e.g. to test a retry).
   */
  queueResponses(...responses: (MockLlmResponse | Error)[]): this {
    const accepted = responses.map((response, index) =>
      response instanceof Error
        ? response
        : this.validated('MockLlmAdapter.queueResponses', `responses[${index}]`, response),
    );
    this.queue.push(...accepted);
    return this;
  }

  /** Makes every call reject with `error` until `setError(undefined)` or `reset()`. */
  setError(error: Error | undefined): this {
    if (error !== undefined && !(error instanceof Error)) {
      throw invalidArgument('MockLlmAdapter.setError', [
        {
          path: 'error',
          message: `expected an Error or undefined, received ${describeValue(error)}`,
        },
      ]);
    }
    this.error = error;
    return this;
  }

  /** Every call so far (`complete` and `stream`), oldest first. */
  getCalls(): RecordedCalls<MockLlmCall> {
    return recorded(
      this.calls.map((call) => ({
        messages: copyData(call.messages),
        opts: { ...call.opts },
      })),
    );
  }

  /** How many queued responses are still unused. */
  pendingResponses(): number {
    return this.queue.length;
  }

  /** Forgets the calls, the queue, the default reply and the error. */
  reset(): void {
    this.defaultResponse = undefined;
    this.queue.length = 0;
    this.error = undefined;
    this.calls = [];
  }

  async complete(messages: Message[], opts: LlmCompleteOptions = {}): Promise<Message> {
    this.calls.push({
      messages: copyData(messages),
      opts: opts.tools ? { ...opts, tools: [...opts.tools] } : { ...opts },
    });
    assertValidMessages('MockLlmAdapter.complete', messages, 'mock');
    const output = opts.output === undefined ? undefined : llmOutput(opts.output, 'mock');
    if (opts.signal?.aborted) throw llmAbortError(opts.signal, 'mock');
    if (this.error) throw this.error;
    const reply = await this.nextReply(messages, opts);
    return output ? output.parse(reply) : reply;
  }

  private async nextReply(messages: Message[], opts: LlmCompleteOptions): Promise<Message> {
    const next = this.queue.length > 0 ? this.queue.shift() : this.defaultResponse;
    if (next instanceof Error) throw next;
    if (next === undefined) return { role: 'assistant', content: lastUserContent(messages) };
    if (typeof next !== 'function') return copyData(next);

    const reply = await next(copyData(messages), { ...opts });
    const replyProblems = replyIssues(reply, 'reply');
    if (replyProblems.length > 0) {
      throw new LlmError(
        `MockLlmAdapter: the response function returned an invalid reply: ${describeIssues(replyProblems)}`,
        { issues: replyProblems },
        { code: 'LLM_INVALID_RESPONSE', provider: 'mock' },
      );
    }
    return copyData(reply);
  }

  /** The same reply as `complete`, as word-sized `text-delta`s, `tool-call`s and `finish`. */
  async *stream(messages: Message[], opts: LlmCompleteOptions = {}): AsyncIterable<LlmStreamEvent> {
    const message = await this.complete(messages, opts);
    for (const event of streamEventsOf(message)) {
      if (opts.signal?.aborted) throw llmAbortError(opts.signal, 'mock');
      yield event;
    }
  }

  private validated(method: string, path: string, response: unknown): MockLlmResponse {
    if (typeof response === 'function') return response as MockLlmResponder;
    const issues = replyIssues(response, path);
    if (issues.length > 0) throw invalidArgument(method, issues);
    return copyData(response as Message);
  }
}
