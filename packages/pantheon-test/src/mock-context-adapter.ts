import {
  type AppendOptions,
  type CompileContextOptions,
  ContextError,
  type ContextPort,
  ContextSourceSchema,
  type ContextStoreOptions,
  type Message,
  MessageSchema,
  type PantheonErrorCode,
  type ValidationIssue,
} from '@promethean-os/pantheon-core';
import {
  abortError,
  check,
  describeIssues,
  describeValue,
  invalidArgument,
} from '@promethean-os/pantheon-core/adapter-kit';
import { copyData } from './internal/copy-data';
import { INVALID_ARGUMENT, messageListIssues } from './internal/invalid';
import { type RecordedCalls, recorded } from './recorded-calls';

/** Computes the compiled context from the request; may be async. */
export type MockContextResponder = (
  options: CompileContextOptions,
) => Message[] | Promise<Message[]>;

/** One `append` call as `getAppends()` returns it. */
export interface MockContextAppend {
  actorId: string;
  message: Message;
  /** The options as given; absent when `append` was called without them. */
  options?: AppendOptions;
}

/** A document that named query sources (`{ id, where }`) retrieve. */
export interface MockContextDocument {
  content: string;
  metadata?: Record<string, unknown>;
}

function contextError(
  method: string,
  issues: ValidationIssue[],
  code: PantheonErrorCode = INVALID_ARGUMENT,
): ContextError {
  return new ContextError(`${method}: ${describeIssues(issues)}`, { method, issues }, { code });
}

function limitIssues(options: CompileContextOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const key of ['recentLimit', 'queryLimit', 'limit'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      issues.push({ path: key, message: `expected an integer >= 0, received ${String(value)}` });
    }
  }
  return issues;
}

/** Issues of a `conversationId` (at `path`): it must be a non-empty string when present. */
function conversationIssues(conversationId: unknown, path: string): ValidationIssue[] {
  if (conversationId === undefined) return [];
  if (typeof conversationId === 'string' && conversationId !== '') return [];
  return [
    {
      path,
      message: `expected a non-empty string, received ${
        conversationId === '' ? 'an empty string' : describeValue(conversationId)
      }`,
    },
  ];
}

/** Issues of `append`'s options: an object, if given, whose `conversationId` is well formed. */
function appendOptionsIssues(options: unknown): ValidationIssue[] {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null) {
    return [{ path: 'options', message: `expected an object, received ${describeValue(options)}` }];
  }
  return conversationIssues(
    (options as { conversationId?: unknown }).conversationId,
    'options.conversationId',
  );
}

/** History key of an actor and conversation (`null`: the actor-wide history). */
function historyKey(actorId: string, conversationId: string | undefined): string {
  return JSON.stringify([actorId, conversationId ?? null]);
}

function requestIssues(options: unknown): ValidationIssue[] {
  if (typeof options !== 'object' || options === null) {
    return [{ path: '(root)', message: `expected an object, received ${describeValue(options)}` }];
  }
  const request = options as CompileContextOptions;
  const issues: ValidationIssue[] = [];
  if (!Array.isArray(request.sources)) {
    issues.push({
      path: 'sources',
      message: `expected an array, received ${describeValue(request.sources)}`,
    });
  } else {
    request.sources.forEach((source, index) => {
      const checked = check(ContextSourceSchema, source, `sources[${index}]`);
      if (!checked.ok) issues.push(...checked.issues);
    });
  }
  if (request.texts !== undefined) {
    if (!Array.isArray(request.texts) || request.texts.some((text) => typeof text !== 'string')) {
      issues.push({ path: 'texts', message: 'expected an array of strings' });
    }
  }
  issues.push(...limitIssues(request));
  issues.push(...conversationIssues(request.conversationId, 'conversationId'));
  return issues;
}

function matches(document: MockContextDocument, where: Record<string, unknown> | undefined) {
  if (!where) return true;
  return Object.entries(where).every(([key, value]) => document.metadata?.[key] === value);
}

/**
 * A `ContextPort` for unit tests. With `setResponse(messages)` every `compile` returns those
 * messages (a copy), whatever it is asked. Without it, `compile` assembles a small, predictable
 * context: each `text` source as a `system` message, then the documents that named sources
 * retrieve (`addDocuments`, filtered by `where`, at most `queryLimit` per source), then the
 * history (`append`, the `recentLimit` most recent) of the actor in the request's
 * `conversationId` — or its actor-wide history, appended without one, when the request has
 * none; conversations never see each other's entries — then each input text as a `user`
 * message (named `from` when given). `url` and `file` sources produce nothing: the mock does no
 * I/O. `limit` drops the oldest history first, then the earliest sources; the input is kept.
 *
 * It also keeps a key/value store (`read`/`write`/`delete`, per actor or global) so `context`
 * actions work, and records every `compile` request (`getCalls`) and every `append`, with its
 * options (`getAppends`).
 *
 * @example
 * const context = new MockContextAdapter();
 * context.setResponse([{ role: 'system', content: 'Company policies...' }]);
 * await context.compile({ sources: [], texts: ['Hello'] }); // [{ role: 'system', ... }]
 * context.getCalls()[0].texts; // ['Hello']
 */
export class MockContextAdapter implements ContextPort {
  private response: Message[] | MockContextResponder | undefined;
  private calls: CompileContextOptions[] = [];
  private appends: MockContextAppend[] = [];
  private documents: MockContextDocument[] = [];
  private readonly history = new Map<string, Message[]>();
  private readonly store = new Map<string, unknown>();

  /** Makes every `compile` return `messages` (validated here), or what `fn(options)` returns. */
  setResponse(response: Message[] | MockContextResponder): this {
    if (typeof response === 'function') {
      this.response = response;
      return this;
    }
    const issues = messageListIssues(response, 'messages');
    if (issues.length > 0) throw invalidArgument('MockContextAdapter.setResponse', issues);
    this.response = copyData(response);
    return this;
  }

  /** Adds documents for named query sources to retrieve. */
  addDocuments(...documents: MockContextDocument[]): this {
    const issues: ValidationIssue[] = [];
    documents.forEach((document, index) => {
      if (typeof document?.content !== 'string') {
        issues.push({ path: `documents[${index}].content`, message: 'expected a string' });
      }
      const metadata = document?.metadata;
      if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null)) {
        issues.push({ path: `documents[${index}].metadata`, message: 'expected an object' });
      }
    });
    if (issues.length > 0) throw invalidArgument('MockContextAdapter.addDocuments', issues);
    this.documents.push(...copyData(documents));
    return this;
  }

  /** Every `compile` request so far (copies; `signal` is the one passed), oldest first. */
  getCalls(): RecordedCalls<CompileContextOptions> {
    return recorded(this.calls.map((call) => ({ ...copyData(call), signal: call.signal })));
  }

  /** Every accepted `append` so far (copies), oldest first, with the options it was given. */
  getAppends(): RecordedCalls<MockContextAppend> {
    return recorded(copyData(this.appends));
  }

  /**
   * The history appended for `actorId` in `conversationId` — its actor-wide history without
   * one — oldest first.
   */
  getHistory(actorId: string, conversationId?: string): Message[] {
    return copyData(this.history.get(historyKey(actorId, conversationId)) ?? []);
  }

  /** Forgets the response, the calls and appends, the documents, the history and the store. */
  reset(): void {
    this.response = undefined;
    this.calls = [];
    this.appends = [];
    this.documents = [];
    this.history.clear();
    this.store.clear();
  }

  async compile(options: CompileContextOptions): Promise<Message[]> {
    const issues = requestIssues(options);
    if (issues.length > 0)
      throw contextError('MockContextAdapter.compile', issues, 'CONTEXT_INVALID_REQUEST');
    this.calls.push({ ...copyData(options), signal: options.signal });
    if (options.signal?.aborted) throw abortError(options.signal);

    if (typeof this.response === 'function') {
      const messages = await this.response(copyData(options));
      const problems = messageListIssues(messages, 'messages');
      if (problems.length > 0) {
        throw new ContextError(
          `MockContextAdapter: the response function returned invalid messages: ${describeIssues(problems)}`,
          { issues: problems },
          { code: 'CONTEXT_INVALID_RESPONSE' },
        );
      }
      return copyData(messages);
    }
    if (this.response) return copyData(this.response);
    return this.assemble(options);
  }

  /**
   * Appends to the history of `actorId` in `options.conversationId`, or to its actor-wide
   * history without one, and records the call (`getAppends`).
   */
  async append(actorId: string, message: Message, options?: AppendOptions): Promise<void> {
    const issues: ValidationIssue[] = [];
    if (typeof actorId !== 'string' || actorId === '') {
      issues.push({ path: 'actorId', message: 'expected a non-empty string' });
    }
    const checked = check(MessageSchema, message, 'message');
    if (!checked.ok) issues.push(...checked.issues);
    if (issues.length > 0) {
      throw contextError('MockContextAdapter.append', issues, 'CONTEXT_INVALID_MESSAGE');
    }
    const optionIssues = appendOptionsIssues(options);
    if (optionIssues.length > 0) {
      throw contextError('MockContextAdapter.append', optionIssues, 'CONTEXT_INVALID_REQUEST');
    }
    const call: MockContextAppend = { actorId, message: copyData(message) };
    if (options !== undefined) call.options = copyData(options);
    this.appends.push(call);
    const key = historyKey(actorId, options?.conversationId);
    const entries = this.history.get(key) ?? [];
    entries.push(copyData(message));
    this.history.set(key, entries);
  }

  async read(target: string, options?: ContextStoreOptions): Promise<unknown> {
    return copyData(this.store.get(this.key('read', target, options)));
  }

  async write(target: string, data: unknown, options?: ContextStoreOptions): Promise<void> {
    this.store.set(this.key('write', target, options), copyData(data));
  }

  async delete(target: string, options?: ContextStoreOptions): Promise<void> {
    this.store.delete(this.key('delete', target, options));
  }

  private key(operation: string, target: string, options?: ContextStoreOptions): string {
    if (typeof target !== 'string' || target === '') {
      throw contextError(`MockContextAdapter.${operation}`, [
        { path: 'target', message: 'expected a non-empty string' },
      ]);
    }
    // JSON keeps actor and global scopes apart whatever characters ids contain.
    return JSON.stringify([options?.actorId ?? null, target]);
  }

  private assemble(options: CompileContextOptions): Message[] {
    const head: Message[] = [];
    for (const source of options.sources) {
      if (source.type === 'text') {
        const message: Message = { role: 'system', content: source.content };
        if (source.metadata) message.metadata = copyData(source.metadata);
        head.push(message);
      } else if (source.type === undefined) {
        const found = this.documents.filter((document) => matches(document, source.where));
        const limited =
          options.queryLimit === undefined ? found : found.slice(0, options.queryLimit);
        for (const document of limited) {
          head.push({
            role: 'system',
            content: document.content,
            metadata: { ...copyData(document.metadata), source: source.id },
          });
        }
      }
    }
    let history =
      options.actorId === undefined
        ? []
        : copyData(this.history.get(historyKey(options.actorId, options.conversationId)) ?? []);
    if (options.recentLimit !== undefined) {
      history = options.recentLimit === 0 ? [] : history.slice(-options.recentLimit);
    }
    const input: Message[] = (options.texts ?? []).map((text) => {
      const message: Message = { role: 'user', content: text };
      if (options.from !== undefined) message.name = options.from;
      return message;
    });
    if (options.limit === undefined) return [...head, ...history, ...input];

    let budget = options.limit;
    const keptInput = input.slice(Math.max(0, input.length - budget));
    budget -= keptInput.length;
    const keptHead = budget === 0 ? [] : head.slice(-budget);
    budget -= keptHead.length;
    const keptHistory = budget === 0 ? [] : history.slice(-budget);
    return [...keptHead, ...keptHistory, ...keptInput];
  }
}
