import { errorMessage, type PantheonError } from '../errors';
import type { LogFunction } from '../orchestrator/types';
import type { ActorStatePort } from '../ports/actor-state-port';
import type { BusMessage } from '../ports/message-bus';
import type { Scheduler } from '../ports/scheduler';
import type { ActorCell } from './actor-cell';
import type { AskRequests } from './ask-requests';
import type { EventHub } from './event-hub';
import type { PantheonSystemEvents, SupervisionOptions } from './types';

/** What the supervisor acts through. */
export interface SupervisorDeps {
  options: SupervisionOptions;
  now: () => number;
  log: LogFunction;
  scheduler: Scheduler;
  state: ActorStatePort;
  events: EventHub<PantheonSystemEvents>;
  asks: AskRequests;
  /** Stops scheduling the actor. */
  halt(cell: ActorCell): void;
  /** Schedules the actor again once its backoff is over. */
  resume(cell: ActorCell): void;
}

/** Codes of a tick that failed because a database behind a port is down: no fault of the actor's. */
const OUTAGES: ReadonlySet<string> = new Set([
  'STORE_UNAVAILABLE',
  'STATE_UNAVAILABLE',
  'CONTEXT_UNAVAILABLE',
]);

/**
 * Supervision: a failed tick pauses its actor for a backoff that doubles per consecutive failure
 * (`actor.restarted`); `maxFailures` within `windowMs` stop it as `failed` (`actor.failed`), and
 * the requests waiting in its mailbox fail with the error. Both are logged. An outage of a
 * port's database backs off alike but never stops the actor: it resumes once the database is back.
 */
export class Supervisor {
  constructor(private readonly deps: SupervisorDeps) {}

  succeeded(cell: ActorCell): void {
    cell.consecutiveFailures = 0;
  }

  failed(cell: ActorCell, error: PantheonError, message: BusMessage | undefined): void {
    const { options, log, events } = this.deps;
    const about = {
      actorId: cell.id,
      code: error.code,
      messageId: message?.id,
      conversationId: message?.conversationId,
    };
    if (!OUTAGES.has(error.code)) {
      const now = this.deps.now();
      const failures = (cell.failures ?? []).filter((at) => now - at < options.windowMs);
      failures.push(now);
      cell.failures = failures;
      if (failures.length >= options.maxFailures) {
        this.giveUp(cell, error, failures.length, about);
        return;
      }
    }
    cell.consecutiveFailures++;
    const attempt = cell.consecutiveFailures;
    const backoffMs = Math.min(options.backoffMs * 2 ** (attempt - 1), options.maxBackoffMs);
    cell.inBackoff = true;
    log('Actor restarts after a failed tick', { level: 'warn', ...about, attempt, backoffMs });
    events.emit('actor.restarted', {
      actorId: cell.id,
      error,
      attempt,
      backoffMs,
      messageId: about.messageId,
      conversationId: about.conversationId,
    });
    this.deps.scheduler.once(backoffMs, () => {
      cell.inBackoff = false;
      this.deps.resume(cell);
    });
  }

  private giveUp(
    cell: ActorCell,
    error: PantheonError,
    failures: number,
    about: { actorId: string; messageId?: string; conversationId?: string },
  ): void {
    const { log, events, asks, state } = this.deps;
    this.deps.halt(cell);
    log('Actor stopped after repeated failures', { level: 'error', ...about, failures });
    for (const waiting of cell.mailbox?.toArray() ?? []) {
      asks.fail(waiting.correlationId, cell.id, error);
    }
    // A port that throws instead of rejecting is reported the same way, not a crash.
    void Promise.resolve()
      .then(() => state.update(cell.id, { state: 'failed' }))
      .catch((updateError: unknown) =>
        log('Could not mark the actor failed', {
          level: 'error',
          actorId: cell.id,
          error: errorMessage(updateError),
        }),
      )
      .then(() =>
        events.emit('actor.failed', {
          actorId: cell.id,
          error,
          failures,
          messageId: about.messageId,
          conversationId: about.conversationId,
        }),
      );
  }
}
