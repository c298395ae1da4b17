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
import { guarded } from './errors';
import { historyMessage, type StoreCore } from './store-core';

const GLOBAL_SCOPE = '';

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
 * adapter with one that retrieves documents. During a tick of the actor, its appends and writes
 * are buffered (reads see them) and committed with the tick.
 *
 * @example
 * const db = await openSqlitePersistence({ file: 'pantheon.db', scripts });
 * await db.context.append('support-1', { role: 'user', content: 'Hello' }, { conversationId: 'c-42' });
 * const messages = await db.context.compile({
 *   sources: [], actorId: 'support-1', conversationId: 'c-42', recentLimit: 10 });
 */
export class DurableContext implements ContextPort {
  constructor(private readonly core: StoreCore) {}

  async compile(options: CompileContextOptions): Promise<Message[]> {
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
    const recentLimit = Math.max(0, options.recentLimit ?? this.core.recentLimit);
    const history =
      options.actorId === undefined
        ? []
        : await this.recent(options.actorId, conversation, recentLimit);
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

  /** The last `count` entries (committed and buffered) of one history, oldest first. */
  private async recent(actorId: string, conversation: string, count: number): Promise<Message[]> {
    if (count === 0) return [];
    const rows = await guarded('context', actorId, () =>
      this.core.driver.all<{ message: string }>(
        `SELECT message FROM pantheon_history WHERE actor_id = ? AND conversation_id = ?
          ORDER BY seq DESC LIMIT ?`,
        [actorId, conversation, count],
      ),
    );
    const entries = rows.reverse().map((row) => row.message);
    this.addBuffered(actorId, conversation, entries);
    return entries.slice(-count).map(historyMessage);
  }

  /** Appends the tick buffer's entries of that history, if a tick of the actor is running. */
  private addBuffered(actorId: string, conversation: string, entries: string[]): void {
    for (const entry of this.core.buffer(actorId)?.history ?? []) {
      if (entry.conversation === conversation) entries.push(entry.json);
    }
  }

  /**
   * Appends to the history of `actorId` in `options.conversationId`, or to its actor-wide
   * history without one; buffered until the commit during a tick of the actor. A malformed
   * message is `CONTEXT_INVALID_MESSAGE`, a `conversationId` that is not a non-empty string
   * `CONTEXT_INVALID_REQUEST`; nothing is stored then.
   */
  async append(actorId: string, message: Message, options?: AppendOptions): Promise<void> {
    checkAppendedMessage(actorId, message);
    const conversation = conversationColumn(options, 'append', actorId);
    const json = JSON.stringify(message);
    const at = this.core.now();
    const buffer = this.core.buffer(actorId);
    if (buffer) {
      buffer.history.push({ json, at, conversation });
      return;
    }
    await guarded('context', actorId, () =>
      this.core.driver.run(
        'INSERT INTO pantheon_history (actor_id, conversation_id, message, created_at) VALUES (?, ?, ?, ?)',
        [actorId, conversation, json, at],
      ),
    );
  }

  /**
   * The whole stored history of `actorId` in `conversationId` — or its actor-wide history
   * without one — oldest first (buffered entries of a running tick included).
   */
  async getHistory(actorId: string, conversationId?: string): Promise<Message[]> {
    const conversation = conversationColumn({ conversationId }, 'getHistory', actorId);
    const rows = await guarded('context', actorId, () =>
      this.core.driver.all<{ message: string }>(
        'SELECT message FROM pantheon_history WHERE actor_id = ? AND conversation_id = ? ORDER BY seq',
        [actorId, conversation],
      ),
    );
    const entries = rows.map((row) => row.message);
    this.addBuffered(actorId, conversation, entries);
    return entries.map(historyMessage);
  }

  async read(target: string, options: ContextStoreOptions = {}): Promise<unknown> {
    const buffered = this.core.buffer(options.actorId)?.kv;
    if (buffered?.has(target)) {
      const value = buffered.get(target);
      return value === null || value === undefined ? undefined : JSON.parse(value);
    }
    const rows = await guarded('context', options.actorId, () =>
      this.core.driver.all<{ value: string }>(
        'SELECT value FROM pantheon_kv WHERE scope = ? AND key = ?',
        [options.actorId ?? GLOBAL_SCOPE, target],
      ),
    );
    return rows[0] === undefined ? undefined : JSON.parse(rows[0].value);
  }

  /** Stores `data` as JSON; writing `undefined` deletes the entry. */
  async write(target: string, data: unknown, options: ContextStoreOptions = {}): Promise<void> {
    const json = data === undefined ? null : JSON.stringify(data);
    await this.set(target, json === undefined ? null : json, options.actorId);
  }

  async delete(target: string, options: ContextStoreOptions = {}): Promise<void> {
    await this.set(target, null, options.actorId);
  }

  private async set(target: string, value: string | null, actorId: string | undefined) {
    const buffer = this.core.buffer(actorId);
    if (buffer) {
      buffer.kv.set(target, value);
      return;
    }
    const statement = this.core.kvStatement(actorId ?? GLOBAL_SCOPE, target, value);
    await guarded('context', actorId, () => this.core.driver.run(statement.sql, statement.params));
  }
}
