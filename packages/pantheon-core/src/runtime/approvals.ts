import type {
  ApprovalOptions,
  ApprovalRecord,
  ApproveOptions,
  DenyOptions,
  PendingApproval,
} from '../approval-types';
import { ActorError, ConfigError, errorMessage, PantheonError } from '../errors';
import type { LogFunction, TickInput, TickResult } from '../orchestrator/types';
import type { ApprovalDecisionRecord, MailboxStore } from '../ports/mailbox-store';
import type { BusMessage } from '../ports/message-bus';
import type { Scheduler } from '../ports/scheduler';
import type { EventHub } from './event-hub';
import type { PantheonSystemEvents } from './types';

/** What the decision message of an approval carries in `metadata.approval`. */
interface DecisionMetadata {
  id: string;
}

/** Where a tick's approval writes go: the durable tick's transaction. */
export interface ApprovalWrites {
  requestApproval(approval: ApprovalRecord): void;
  settleApproval(id: string): void;
}

/** What `Approvals` works with. */
export interface ApprovalsDeps {
  store: MailboxStore | undefined;
  scheduler: Scheduler;
  now: () => number;
  ids: () => string;
  log: LogFunction;
  events: EventHub<PantheonSystemEvents>;
  options: ApprovalOptions;
  /** True when the actor is started in this system. */
  owns(actorId: string): boolean;
  /** Puts a decision message (already stored, with a store) into its actor's mailbox. */
  deliver(message: BusMessage): void;
}

/** The approval's public view: what `getPendingApprovals` and events show. */
export function pendingApprovalOf(record: ApprovalRecord): PendingApproval {
  const view: PendingApproval = {
    id: record.id,
    actorId: record.actorId,
    tool: record.tool,
    args: record.args,
    toolCallId: record.toolCallId,
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
  };
  if (record.expiresAt !== undefined) view.expiresAt = record.expiresAt;
  if (record.conversationId !== undefined) view.conversationId = record.conversationId;
  if (record.correlationId !== undefined) view.correlationId = record.correlationId;
  if (record.messageId !== undefined) view.messageId = record.messageId;
  return view;
}

/**
 * The error of a decision that cannot be made (`approve`/`deny`): `details.approvalId`, and the
 * stored `status` when the approval is known.
 */
export function approvalError(
  id: string,
  record: ApprovalRecord | undefined,
  code:
    | 'APPROVAL_NOT_FOUND'
    | 'APPROVAL_ALREADY_DECIDED'
    | 'APPROVAL_EXPIRED'
    | 'APPROVAL_NOT_OWNED',
  message: string,
): ActorError {
  const details: Record<string, unknown> = { approvalId: id };
  if (record) details.status = record.status;
  return new ActorError(message, record?.actorId ?? '', details, { code });
}

/** The approval id a decision message resumes from, when `message` is one. */
export function decisionOf(message: BusMessage): string | undefined {
  const approval = message.metadata?.approval as DecisionMetadata | undefined;
  return typeof approval?.id === 'string' ? approval.id : undefined;
}

/**
 * Human approval of tool calls: the calls ticks held back (`TickResult.approvals`) become
 * approval records — with a store, written in the tick's own transaction, so the message and the
 * approval it asked for are stored together; `approve`/`deny` decide one and put a decision
 * message into the actor's mailbox (with a store, in one transaction, so of two deciders one
 * wins); the actor's tick for that message resumes the behavior, and its commit settles the
 * approval. A pending approval with a timeout expires on the scheduler.
 */
export class Approvals {
  /** Without a store every approval; with one, a cache of those this process saw. */
  private readonly records = new Map<string, ApprovalRecord>();
  // biome-ignore lint/suspicious/noConfusingVoidType: what Scheduler.once returns.
  private readonly timers = new Map<string, (() => void) | void>();

  constructor(private readonly deps: ApprovalsDeps) {}

  /**
   * The records of the calls a tick held back; with a durable tick they go into its
   * transaction. Announce them with `announce` once the tick committed.
   */
  held(
    actorId: string,
    input: TickInput | undefined,
    result: TickResult,
    writes: ApprovalWrites | undefined,
  ): ApprovalRecord[] {
    const held = result.approvals;
    if (!held || held.length === 0) return [];
    const now = this.deps.now();
    const { timeoutMs } = this.deps.options;
    return held.map(({ behavior, request }) => {
      const record: ApprovalRecord = {
        id: this.deps.ids(),
        actorId,
        tool: request.toolCall.name,
        args: request.toolCall.args,
        toolCallId: request.toolCall.id,
        requestedBy: input?.from ?? 'user',
        requestedAt: now,
        behavior,
        state: request.state,
        status: 'pending',
        settled: false,
      };
      if (timeoutMs !== undefined) record.expiresAt = now + timeoutMs;
      if (input?.conversationId !== undefined) record.conversationId = input.conversationId;
      if (input?.correlationId !== undefined) record.correlationId = input.correlationId;
      if (input?.replyTo !== undefined) record.replyTo = input.replyTo;
      if (input?.messageId !== undefined) record.messageId = input.messageId;
      if (input?.metadata !== undefined) record.metadata = input.metadata;
      writes?.requestApproval(record);
      return record;
    });
  }

  /** After the tick that held them committed: keeps, announces and times the records. */
  announce(records: readonly ApprovalRecord[]): void {
    for (const record of records) {
      this.records.set(record.id, record);
      this.time(record);
      this.deps.events.emit('approval.requested', { approval: pendingApprovalOf(record) });
    }
  }

  /**
   * The input of the tick that handles a decision message: the conversation's addresses and
   * the behavior to resume. `undefined` for a message that is no decision.
   */
  async resumeInput(message: BusMessage): Promise<TickInput | undefined> {
    const id = decisionOf(message);
    if (id === undefined) return undefined;
    const record = this.records.get(id) ?? (await this.deps.store?.approval(id));
    if (!record?.decision || record.status === 'pending') {
      throw new ActorError(
        `The approval ${id} that message ${message.id} decides is not stored as decided`,
        message.to,
        { approvalId: id, messageId: message.id },
        { code: 'APPROVAL_NOT_FOUND' },
      );
    }
    const input: TickInput = {
      from: record.requestedBy === 'user' ? undefined : record.requestedBy,
      correlationId: record.correlationId,
      conversationId: record.conversationId,
      replyTo: record.replyTo,
      messageId: message.id,
      metadata: record.metadata,
      resume: {
        behavior: record.behavior,
        state: record.state,
        approval: {
          approvalId: record.id,
          toolCall: { id: record.toolCallId, name: record.tool, args: record.args },
          decision: record.status,
          decidedAt: record.decision.at,
        },
      },
    };
    const outcome = input.resume!.approval;
    if (record.decision.by !== undefined) outcome.by = record.decision.by;
    if (record.decision.note !== undefined) outcome.note = record.decision.note;
    if (record.decision.reason !== undefined) outcome.reason = record.decision.reason;
    return input;
  }

  /** Marks the approval a resumed tick handled as settled: in its transaction, with a store. */
  settle(input: TickInput | undefined, writes: ApprovalWrites | undefined): void {
    const id = input?.resume?.approval.approvalId;
    if (id === undefined) return;
    writes?.settleApproval(id);
    const record = this.records.get(id);
    if (!record) return;
    record.settled = true;
    // With a store the database remembers it; without one the decided record is kept so that
    // deciding it again is `APPROVAL_ALREADY_DECIDED`, not `APPROVAL_NOT_FOUND`.
    if (this.deps.store) this.records.delete(id);
  }

  /** The approvals waiting for a decision (with a store, as stored: every process sees them). */
  async pending(): Promise<PendingApproval[]> {
    const records = this.deps.store
      ? await this.deps.store.approvals()
      : [...this.records.values()];
    return records.filter((record) => record.status === 'pending').map(pendingApprovalOf);
  }

  approve(id: string, options: ApproveOptions): Promise<void> {
    if (typeof options?.by !== 'string' || options.by === '') {
      return Promise.reject(
        new ConfigError(
          'approve needs `by`: who approved',
          { approvalId: id, field: 'by' },
          { code: 'INVALID_ARGUMENT' },
        ),
      );
    }
    const decision: ApprovalDecisionRecord = { status: 'approved', by: options.by, at: 0 };
    if (options.note !== undefined) decision.note = options.note;
    return this.decide(id, decision, true);
  }

  deny(id: string, options: DenyOptions): Promise<void> {
    if (typeof options?.reason !== 'string') {
      return Promise.reject(
        new ConfigError(
          'deny needs a `reason` for the model',
          { approvalId: id, field: 'reason' },
          { code: 'INVALID_ARGUMENT' },
        ),
      );
    }
    const decision: ApprovalDecisionRecord = { status: 'denied', reason: options.reason, at: 0 };
    if (options.by !== undefined) decision.by = options.by;
    return this.decide(id, decision, true);
  }

  /** Loads what a store kept: pending approvals get their timers again. */
  async restore(): Promise<void> {
    const store = this.deps.store;
    if (!store) return;
    for (const record of await store.approvals()) {
      this.records.set(record.id, record);
      if (record.status === 'pending') this.time(record);
    }
  }

  /**
   * Pending approvals as this process knows them, synchronously (for metrics): with a store,
   * those it restored or requested, less those decided here.
   */
  pendingCount(): number {
    let count = 0;
    for (const record of this.records.values()) if (record.status === 'pending') count++;
    return count;
  }

  /** Cancels every timer (on shutdown); pending approvals stay pending, and stored. */
  close(): void {
    for (const cancel of this.timers.values()) cancel?.();
    this.timers.clear();
  }

  private time(record: ApprovalRecord): void {
    if (record.expiresAt === undefined || this.timers.has(record.id)) return;
    const delay = Math.max(0, record.expiresAt - this.deps.now());
    const reason = `no decision within ${this.deps.options.timeoutMs ?? delay} ms`;
    this.timers.set(
      record.id,
      this.deps.scheduler.once(delay, () => {
        this.timers.delete(record.id);
        this.decide(record.id, { status: 'expired', by: 'system', reason, at: 0 }, false).catch(
          (error: unknown) => {
            // Decided meanwhile (here or by another process): nothing to expire.
            if (PantheonError.isInstance(error) && error.code.startsWith('APPROVAL_')) return;
            this.deps.log('Could not expire an approval; it stays pending', {
              level: 'warn',
              approvalId: record.id,
              actorId: record.actorId,
              error: errorMessage(error),
            });
          },
        );
      }),
    );
  }

  private async find(id: string): Promise<ApprovalRecord | undefined> {
    const known = this.records.get(id);
    if (known && known.status !== 'pending') return known;
    return (await this.deps.store?.approval(id)) ?? known;
  }

  /**
   * Decides `id` once: checks it (unknown, decided, expired, not owned here), records the
   * decision and puts the decision message into the actor's mailbox.
   */
  private async decide(
    id: string,
    decision: ApprovalDecisionRecord,
    byPerson: boolean,
  ): Promise<void> {
    const record = await this.find(id);
    if (!record) {
      throw approvalError(id, undefined, 'APPROVAL_NOT_FOUND', `No approval with id "${id}"`);
    }
    this.refuseDecided(id, record);
    if (byPerson && !this.deps.owns(record.actorId)) {
      throw approvalError(
        id,
        record,
        'APPROVAL_NOT_OWNED',
        `Approval "${id}" belongs to actor "${record.actorId}", which is not started in this process`,
      );
    }
    decision.at = this.deps.now();
    const message: BusMessage = {
      id: this.deps.ids(),
      from: record.requestedBy,
      to: record.actorId,
      content: '',
      timestamp: decision.at,
      correlationId: record.correlationId,
      conversationId: record.conversationId,
      replyTo: record.replyTo,
      metadata: { approval: { id, status: decision.status } },
    };
    // A conversation's budget travels with its messages: the resuming tick is charged to it.
    const budget = record.metadata?.budget;
    if (budget !== undefined) message.metadata!.budget = budget;
    const store = this.deps.store;
    if (store) {
      if (!(await store.decideApproval(id, decision, message))) {
        // Another caller decided it first (here or in another process).
        const now = await store.approval(id);
        if (now) this.refuseDecided(id, now);
        throw approvalError(
          id,
          now,
          'APPROVAL_ALREADY_DECIDED',
          `Approval "${id}" was decided already`,
        );
      }
    } else {
      // No await since `find`: re-read, so of two concurrent deciders only the first passes.
      this.refuseDecided(id, this.records.get(id) ?? record);
    }
    const decided: ApprovalRecord = {
      ...record,
      status: decision.status,
      decision: { ...decision },
    };
    delete (decided.decision as Partial<ApprovalDecisionRecord>).status;
    this.records.set(id, decided);
    this.timers.get(id)?.();
    this.timers.delete(id);
    this.deps.events.emit('approval.decided', {
      approval: pendingApprovalOf(decided),
      decision: decision.status,
      by: decision.by,
    });
    this.deps.deliver(message);
  }

  private refuseDecided(id: string, record: ApprovalRecord): void {
    if (record.status === 'pending') return;
    if (record.status === 'expired') {
      throw approvalError(
        id,
        record,
        'APPROVAL_EXPIRED',
        `Approval "${id}" expired: ${record.decision?.reason ?? 'no decision in time'}`,
      );
    }
    throw approvalError(
      id,
      record,
      'APPROVAL_ALREADY_DECIDED',
      `Approval "${id}" was ${record.status} already`,
    );
  }
}
