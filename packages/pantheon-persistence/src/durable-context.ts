import {
  type AppendOptions,
  type CompileContextOptions,
  ContextError,
  type ContextPort,
  type ContextStoreOptions,
  type Message,
} from '@promethean-os/pantheon-core';
import { checkAppendedMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { conversationColumn } from './conversation';
import { guarded, tickEnded } from './errors';
import { historyMessage, type StoreCore, type TickBuffer } from './store-core';

const GLOBAL_SCOPE = '';

/** Reads the last `count` entries (JSON) of one history, oldest first. */
type RecentHistory = (actorId: string, conversation: string, count: number) => Promise<string[]>;

/**
 * `compile` of both the port and a tick's view: one `system` message per `text` source, then the
 * last `recentLimit` entries of the request's history (from `recent`), then the input texts.
 */
async function compileWith(
  core: StoreCore,
  options: CompileContextOptions,
  recent: RecentHistory,
): Promise<Message[]> {
  if (!Array.isArray(options?.sources)) {
    throw new ContextError(
      'compile() needs `sources` as an array',
      { field: 'sources' },
      { code: 'CONTEXT_INVALID_REQUEST' },
    );
  }
  const sources: Message[] = [];
  for (const source of options.sources) {
    if (source.type === 'text') {
      sources.push({
        role: 'system',
        content: source.content,
        metadata: { ...source.metadata, source: 'text' },
      });
    } else {
      const kind = source.type ?? 'query';
      throw new ContextError(
        `The durable context adapter does not load "${kind}" sources`,
        { sourceType: kind },
        { code: 'CONTEXT_SOURCE_UNSUPPORTED' },
      );
    }
  }
  const conversation = conversationColumn(options, 'compile', options.actorId);
  const recentLimit = Math.max(0, options.recentLimit ?? core.recentLimit);
  const history =
    options.actorId === undefined || recentLimit === 0
      ? []
      : (await recent(options.actorId, conversation, recentLimit)).map(historyMessage);
  const inputs: Message[] = (options.texts ?? []).map((text) => {
    const message: Message = { role: 'user', content: text, metadata: { source: 'input' } };
    if (options.from !== undefined) message.name = options.from;
    return message;
  });
  if (options.limit !== undefined) {
    let excess = sources.length + history.length + inputs.length - options.limit;
    const dropHistory = Math.min(Math.max(excess, 0), history.length);
    history.splice(0, dropHistory);
    excess -= dropHistory;
    if (excess > 0) sources.length -= Math.min(excess, sources.length);
  }
  return [...sources, ...history, ...inputs];
}

/** The last `count` stored entries of one history, oldest first. */
async function storedRecent(
  core: StoreCore,
  actorId: string,
  conversation: string,
  count: number,
): Promise<string[]> {
  return guarded('context', actorId, () => core.recentHistory(actorId, conversation, count));
}

/** The stored value of a key/value entry, parsed; `undefined` when there is none. */
async function storedValue(
  core: StoreCore,
  target: string,
  actorId: string | undefined,
): Promise<unknown> {
  const value = await guarded('context', actorId, () =>
    core.storedValue(actorId ?? GLOBAL_SCOPE, target),
  );
  return value === undefined ? undefined : JSON.parse(value);
}

/** A `write`'s value as stored: JSON, or `null` (deleted) for `undefined`. */
function storedJson(data: unknown): string | null {
  const json = data === undefined ? undefined : JSON.stringify(data);
  return json === undefined ? null : json;
}

/**
 * The durable `ContextPort`: history per actor and conversation (`pantheon_history`) and the
 * key/value store behind `context` actions (`pantheon_kv`, scoped by `actorId`).
 *
 * `compile` returns one `system` message per `text` source, then the last `recentLimit` history
 * entries (default 20) of the actor in the request's `conversationId` — or of its actor-wide
 * history (entries appended without a conversation) when the request has none; conversations
 * never see each other's entries — then one `user` message per input text (named
 * `from`). `limit` trims the oldest history first, then sources from the end; input texts are
 * kept. `url`, `file` and named query sources are `CONTEXT_SOURCE_UNSUPPORTED`: wrap this
 * adapter with one that retrieves documents. Every call reads or writes the database at once; a
 * tick's appends and writes go through the `context` view of its transaction
 * (`db.mailbox.beginTick`) instead, and show here once it committed.
 *
 * @example
 * const db = await openSqlitePersistence({ file: 'pantheon.db', scripts });
 * await db.context.append('support-1', { role: 'user', content: 'Hello' }, { conversationId: 'c-42' });
 * const messages = await db.context.compile({
 *   sources: [], actorId: 'support-1', conversationId: 'c-42', recentLimit: 10 });
 */
export class DurableContext implements ContextPort {
  constructor(private readonly core: StoreCore) {}

  compile(options: CompileContextOptions): Promise<Message[]> {
    return compileWith(this.core, options, (actorId, conversation, count) =>
      storedRecent(this.core, actorId, conversation, count),
    );
  }

  /**
   * Appends to the history of `actorId` in `options.conversationId`, or to its actor-wide
   * history without one. A malformed message is `CONTEXT_INVALID_MESSAGE`, a `conversationId`
   * that is not a non-empty string `CONTEXT_INVALID_REQUEST`; nothing is stored then.
   */
  async append(actorId: string, message: Message, options?: AppendOptions): Promise<void> {
    checkAppendedMessage(actorId, message);
    const conversation = conversationColumn(options, 'append', actorId);
    const json = JSON.stringify(message);
    await guarded('context', actorId, () =>
      this.core.driver.run(
        'INSERT INTO pantheon_history (actor_id, conversation_id, message, created_at) VALUES (?, ?, ?, ?)',
        [actorId, conversation, json, this.core.now()],
      ),
    );
  }

  /**
   * The whole stored history of `actorId` in `conversationId` — or its actor-wide history
   * without one — oldest first.
   */
  async getHistory(actorId: string, conversationId?: string): Promise<Message[]> {
    const conversation = conversationColumn({ conversationId }, 'getHistory', actorId);
    const rows = await guarded('context', actorId, () =>
      this.core.driver.all<{ message: string }>(
        'SELECT message FROM pantheon_history WHERE actor_id = ? AND conversation_id = ? ORDER BY seq',
        [actorId, conversation],
      ),
    );
    return rows.map((row) => historyMessage(row.message));
  }

  read(target: string, options: ContextStoreOptions = {}): Promise<unknown> {
    return storedValue(this.core, target, options.actorId);
  }

  /** Stores `data` as JSON; writing `undefined` deletes the entry. */
  async write(target: string, data: unknown, options: ContextStoreOptions = {}): Promise<void> {
    await this.set(target, storedJson(data), options.actorId);
  }

  async delete(target: string, options: ContextStoreOptions = {}): Promise<void> {
    await this.set(target, null, options.actorId);
  }

  private async set(target: string, value: string | null, actorId: string | undefined) {
    const statement = this.core.kvStatement(actorId ?? GLOBAL_SCOPE, target, value);
    await guarded('context', actorId, () => this.core.driver.run(statement.sql, statement.params));
  }
}

/**
 * The `context` view of a tick transaction: `compile` and `read` see the tick's own appends and
 * writes over what is stored; `append`, `write` and `delete` go into the transaction, whose
 * commit writes them. Checks and errors are those of `DurableContext`.
 */
export class TickContext implements ContextPort {
  constructor(
    private readonly core: StoreCore,
    private readonly buffer: TickBuffer,
  ) {}

  compile(options: CompileContextOptions): Promise<Message[]> {
    return compileWith(this.core, options, async (actorId, conversation, count) => {
      const entries = await storedRecent(this.core, actorId, conversation, count);
      for (const entry of this.buffer.history) {
        if (entry.actorId === actorId && entry.conversation === conversation) {
          entries.push(entry.json);
        }
      }
      return entries.slice(-count);
    });
  }

  async append(actorId: string, message: Message, options?: AppendOptions): Promise<void> {
    this.writable('append');
    checkAppendedMessage(actorId, message);
    const conversation = conversationColumn(options, 'append', actorId);
    const json = JSON.stringify(message);
    this.buffer.history.push({ actorId, json, at: this.core.now(), conversation });
  }

  async read(target: string, options: ContextStoreOptions = {}): Promise<unknown> {
    const scope = this.buffer.kv.get(options.actorId ?? GLOBAL_SCOPE);
    if (scope?.has(target)) {
      const value = scope.get(target);
      return value === null || value === undefined ? undefined : JSON.parse(value);
    }
    return storedValue(this.core, target, options.actorId);
  }

  async write(target: string, data: unknown, options: ContextStoreOptions = {}): Promise<void> {
    this.writable('write');
    this.set(target, storedJson(data), options.actorId);
  }

  async delete(target: string, options: ContextStoreOptions = {}): Promise<void> {
    this.writable('delete');
    this.set(target, null, options.actorId);
  }

  private set(target: string, value: string | null, actorId: string | undefined): void {
    const key = actorId ?? GLOBAL_SCOPE;
    let scope = this.buffer.kv.get(key);
    if (!scope) {
      scope = new Map();
      this.buffer.kv.set(key, scope);
    }
    scope.set(target, value);
  }

  private writable(operation: string): void {
    if (!this.buffer.open) throw tickEnded(this.buffer.actorId, operation);
  }
}
