// A durable store for the core's own tests, standing in for a database that outlives the
// systems built on it: its own state and context ports (`state`, `context`) are the database,
// and each tick's transaction holds its writes until the commit applies them all at once.

import type { ApprovalRecord } from '../approval-types';
import { ActorError, PantheonError } from '../errors';
import { fakeContext, fakeState } from '../orchestrator/fake-ports.test-support';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { ContextPort } from '../ports/context-port';
import type { ApprovalDecisionRecord, MailboxStore, TickTransaction } from '../ports/mailbox-store';
import type { BusMessage } from '../ports/message-bus';
import type { Actor, Message } from '../types';

/** A key/value entry the tick deleted. */
const DELETED = Symbol('deleted');

function historyKey(actorId: string, conversationId: string | undefined): string {
  return conversationId === undefined ? actorId : `${actorId}/${conversationId}`;
}

class FakeTick implements TickTransaction {
  readonly state: ActorStatePort;
  readonly context: ContextPort;
  private readonly actors = new Map<string, Actor>();
  private readonly history = new Map<string, Message[]>();
  private readonly kv = new Map<string, unknown>();
  private readonly requested: ApprovalRecord[] = [];
  private readonly settled: string[] = [];
  private ended = false;

  constructor(
    private readonly store: FakeMailboxStore,
    private readonly actorId: string,
  ) {
    const { actors, history, kv } = this;
    const plainState = store.state;
    const plainContext = store.context;
    const writable = (operation: string) => this.writable(operation);
    this.state = {
      async spawn(script, goal, options = {}) {
        writable('spawn');
        const actor: Actor = {
          id: options.id ?? `spawned-${crypto.randomUUID()}`,
          script,
          goals: options.goals ?? [goal],
          state: 'idle',
        };
        if (options.metadata) actor.metadata = options.metadata;
        if (options.name) actor.name = options.name;
        actors.set(actor.id, actor);
        return { ...actor };
      },
      async list() {
        const listed = (await plainState.list()).map((actor) => actors.get(actor.id) ?? actor);
        for (const actor of actors.values()) {
          if (!listed.some((entry) => entry.id === actor.id)) listed.push(actor);
        }
        return listed.map((actor) => ({ ...actor }));
      },
      async get(id) {
        const actor = actors.get(id) ?? (await plainState.get(id));
        return actor ? { ...actor } : null;
      },
      async update(id, patch) {
        writable('update');
        const actor = actors.get(id) ?? (await plainState.get(id));
        if (!actor) {
          throw new ActorError(`Actor "${id}" not found`, id, undefined, {
            code: 'ACTOR_NOT_FOUND',
          });
        }
        const updated = { ...actor, ...patch };
        actors.set(id, updated);
        return { ...updated };
      },
    };
    this.context = {
      async compile(options) {
        const committed = await plainContext.compile({ ...options, texts: [] });
        const buffered = options.actorId
          ? (history.get(historyKey(options.actorId, options.conversationId)) ?? [])
          : [];
        const inputs = (options.texts ?? []).map(
          (text): Message =>
            options.from
              ? { role: 'user', content: text, name: options.from }
              : { role: 'user', content: text },
        );
        return [...committed, ...buffered, ...inputs];
      },
      async append(actorId, message, options) {
        writable('append');
        const key = historyKey(actorId, options?.conversationId);
        history.set(key, [...(history.get(key) ?? []), message]);
      },
      async read(target, options) {
        const key = `${options?.actorId}/${target}`;
        if (!kv.has(key)) return plainContext.read!(target, options);
        const value = kv.get(key);
        return value === DELETED ? undefined : value;
      },
      async write(target, data, options) {
        writable('write');
        kv.set(`${options?.actorId}/${target}`, data);
      },
      async delete(target, options) {
        writable('delete');
        kv.set(`${options?.actorId}/${target}`, DELETED);
      },
    };
  }

  private writable(operation: string): void {
    if (this.ended) {
      throw new PantheonError(
        `The tick transaction of "${this.actorId}" has ended; ${operation} was not applied`,
        'TICK_ENDED',
        { actorId: this.actorId, operation },
      );
    }
  }

  async commit(
    messageId: string | undefined,
    deliver: readonly BusMessage[],
    publish: readonly BusMessage[],
  ): Promise<void> {
    this.writable('commit');
    this.ended = true;
    const store = this.store;
    if (store.failCommits > 0) {
      store.failCommits--;
      // As the real stores report a database that failed.
      throw new PantheonError('database is locked', 'STORE_UNAVAILABLE');
    }
    const handled = messageId === undefined ? undefined : store.mailbox.get(messageId);
    if (handled?.acked) return; // an earlier attempt committed: this replay applies nothing
    if (handled) handled.acked = true;
    for (const [id, actor] of this.actors) store.state.actors.set(id, actor);
    for (const [key, entries] of this.history) {
      store.context.history.set(key, [...(store.context.history.get(key) ?? []), ...entries]);
    }
    for (const [key, value] of this.kv) {
      if (value === DELETED) store.context.store.delete(key);
      else store.context.store.set(key, value);
    }
    for (const message of deliver) await store.enqueue(message);
    for (const message of publish) {
      if (!store.outbox.has(message.id!))
        store.outbox.set(message.id!, { message, published: false });
    }
    for (const approval of this.requested) {
      if (!store.approvalRecords.has(approval.id))
        store.approvalRecords.set(approval.id, structuredClone(approval));
    }
    for (const id of this.settled) {
      const approval = store.approvalRecords.get(id);
      if (approval) approval.settled = true;
    }
    store.commits.push({ actorId: this.actorId, messageId });
  }

  abort(): void {
    this.ended = true;
  }

  requestApproval(approval: ApprovalRecord): void {
    this.writable('requestApproval');
    this.requested.push(structuredClone(approval));
  }

  settleApproval(id: string): void {
    this.writable('settleApproval');
    this.settled.push(id);
  }
}

/** A store that outlives the systems built on it, standing in for a database. */
export class FakeMailboxStore implements MailboxStore {
  readonly mailbox = new Map<string, { message: BusMessage; acked: boolean }>();
  readonly outbox = new Map<string, { message: BusMessage; published: boolean }>();
  readonly commits: Array<{ actorId: string; messageId?: string }> = [];
  readonly approvalRecords = new Map<string, ApprovalRecord>();
  /** The store's own ports: what its transactions commit into. */
  readonly state = fakeState();
  readonly context = fakeContext();
  failCommits = 0;
  failMarkPublished = 0;
  failPending = 0;

  owns(port: ActorStatePort | ContextPort): boolean {
    return port === this.state || port === this.context;
  }

  beginTick(actorId: string): TickTransaction {
    return new FakeTick(this, actorId);
  }

  async enqueue(message: BusMessage) {
    if (this.mailbox.has(message.id!)) return false;
    this.mailbox.set(message.id!, { message, acked: false });
    return true;
  }

  async pending() {
    if (this.failPending > 0) {
      this.failPending--;
      throw new Error('connection refused');
    }
    return [...this.mailbox.values()].filter((entry) => !entry.acked).map((entry) => entry.message);
  }

  async unpublished() {
    return [...this.outbox.values()]
      .filter((entry) => !entry.published)
      .map((entry) => entry.message);
  }

  async approvals() {
    return [...this.approvalRecords.values()]
      .filter((approval) => !approval.settled)
      .map((approval) => structuredClone(approval));
  }

  async approval(id: string) {
    const approval = this.approvalRecords.get(id);
    return approval && structuredClone(approval);
  }

  async decideApproval(id: string, decision: ApprovalDecisionRecord, message: BusMessage) {
    const approval = this.approvalRecords.get(id);
    if (approval?.status !== 'pending') return false;
    const { status, ...rest } = decision;
    approval.status = status;
    approval.decision = rest;
    await this.enqueue(message);
    return true;
  }

  readonly toolEffects = new Map<string, unknown>();

  async toolEffect(key: string) {
    return this.toolEffects.has(key) ? { result: this.toolEffects.get(key) } : undefined;
  }

  async recordToolEffect(key: string, result: unknown) {
    if (!this.toolEffects.has(key)) this.toolEffects.set(key, result);
  }

  async markPublished(ids: readonly string[]) {
    if (this.failMarkPublished > 0) {
      this.failMarkPublished--;
      throw new Error('connection lost');
    }
    for (const id of ids) {
      const entry = this.outbox.get(id);
      if (entry) entry.published = true;
    }
  }
}
