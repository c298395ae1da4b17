import { ActorError, PantheonError } from '../errors';
import type { BusMessage } from '../ports/message-bus';
import type { Scheduler } from '../ports/scheduler';

interface PendingAsk {
  /** The actor the request went to. */
  actorId: string;
  /** Where answers go: the asker's address. */
  replyTo: string;
  conversationId: string;
  resolve: (message: BusMessage) => void;
  reject: (error: PantheonError) => void;
  // biome-ignore lint/suspicious/noConfusingVoidType: what Scheduler.once returns.
  cancelTimer: (() => void) | void;
}

/** What `AskRequests.open` needs to know about one request. */
export interface AskRequest {
  /** The request's id, carried as `correlationId` through every hop of its chain. */
  correlationId: string;
  actorId: string;
  replyTo: string;
  conversationId: string;
  timeoutMs: number;
}

/**
 * The `ask` calls waiting for an answer. A request is answered by the first message of its
 * chain (same `correlationId`) addressed to the asker, whichever actor sends it; it fails early
 * when its chain dies (a failed tick that sent nothing on, a dead letter, an actor stopped by
 * supervision) and times out only when nothing happened in time.
 */
export class AskRequests {
  private readonly pending = new Map<string, PendingAsk>();

  constructor(private readonly scheduler: Scheduler) {}

  /** Requests waiting for an answer. */
  get size(): number {
    return this.pending.size;
  }

  /** Registers a request; the returned promise settles with its answer or failure. */
  open(request: AskRequest): Promise<BusMessage> {
    const { correlationId, actorId, timeoutMs } = request;
    return new Promise<BusMessage>((resolve, reject) => {
      const pending: PendingAsk = {
        actorId,
        replyTo: request.replyTo,
        conversationId: request.conversationId,
        resolve,
        reject,
        cancelTimer: undefined,
      };
      this.pending.set(correlationId, pending);
      pending.cancelTimer = this.scheduler.once(timeoutMs, () => {
        if (!this.pending.delete(correlationId)) return;
        reject(
          new ActorError(
            `No answer to the request sent to actor "${actorId}" within ${timeoutMs} ms`,
            actorId,
            { timeoutMs, correlationId, conversationId: request.conversationId },
            { code: 'ASK_TIMEOUT' },
          ),
        );
      });
    });
  }

  /** True while `correlationId` waits for an answer. */
  has(correlationId: string | undefined): boolean {
    return correlationId !== undefined && this.pending.has(correlationId);
  }

  /** Resolves the request `message` answers, if any. */
  observe(message: BusMessage): void {
    if (message.correlationId === undefined) return;
    if (this.pending.get(message.correlationId)?.replyTo !== message.to) return;
    this.settle(message.correlationId)!.resolve(message);
  }

  /**
   * Rejects the request behind `correlationId` with `ASK_FAILED`, `cause` being why its chain
   * ended (the failing tick's error, or the dead letter's reason).
   */
  fail(correlationId: string | undefined, failedActorId: string, cause: PantheonError): void {
    const pending = this.settle(correlationId);
    if (!pending) return;
    const where = failedActorId === pending.actorId ? '' : ` (in actor "${failedActorId}")`;
    pending.reject(
      new ActorError(
        `The request sent to actor "${pending.actorId}" failed${where}: ${cause.message}`,
        pending.actorId,
        {
          correlationId,
          conversationId: pending.conversationId,
          failedActorId,
          causeCode: cause.code,
        },
        { code: 'ASK_FAILED', cause },
      ),
    );
  }

  /** Rejects the request with `error` itself (e.g. the send was refused). */
  abort(correlationId: string, error: PantheonError): void {
    this.settle(correlationId)?.reject(error);
  }

  /** Takes a waiting request out (its timer cancelled), for the caller to resolve or reject. */
  private settle(correlationId: string | undefined): PendingAsk | undefined {
    if (correlationId === undefined) return undefined;
    const pending = this.pending.get(correlationId);
    if (!pending) return undefined;
    this.pending.delete(correlationId);
    pending.cancelTimer?.();
    return pending;
  }

  /** Rejects every waiting request with `SYSTEM_SHUT_DOWN`. */
  closeAll(): void {
    for (const [correlationId, pending] of this.pending) {
      pending.cancelTimer?.();
      pending.reject(
        new PantheonError(
          'The system shut down before the request was answered',
          'SYSTEM_SHUT_DOWN',
          {
            actorId: pending.actorId,
            correlationId,
            conversationId: pending.conversationId,
          },
        ),
      );
    }
    this.pending.clear();
  }
}
