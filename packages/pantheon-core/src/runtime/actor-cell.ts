import type { BoundedLog } from '../bounded-log';
import type { BusMessage } from '../ports/message-bus';
import type { Queue } from './queue';

/** A tick in progress: the message it handles and how to cancel it. */
export interface RunningTick {
  message: BusMessage | undefined;
  /** Aborts the tick's signal. */
  controller: AbortController;
  /** Lets the turn go on at once with `reason`, even if the tick ignores its signal. */
  release?: (reason: unknown) => void;
}

/** Runtime bookkeeping of one actor; kept small, since idle actors cost memory. */
export class ActorCell {
  mailbox: Queue<BusMessage> | undefined = undefined;
  sent: BoundedLog<BusMessage> | undefined = undefined;
  started = false;
  queued = false;
  inBackoff = false;
  idleTickDue = false;
  turn: Promise<void> | undefined = undefined;
  stopInterval: (() => void) | undefined = undefined;
  failures: number[] | undefined = undefined;
  consecutiveFailures = 0;
  /**
   * Messages the ticks of the message at the head of the mailbox have sent so far (their ids are
   * `<message id>:<n>`), so a tick that is run again after failing does not send them twice.
   */
  sentForHead = 0;
  /**
   * Results of `once` tool calls by idempotency key, kept until a tick of the actor completes,
   * so a tick run again after failing does not repeat them.
   */
  onceResults: Map<string, unknown> | undefined = undefined;
  /** The tick running now, if any. */
  ticking: RunningTick | undefined = undefined;

  constructor(readonly id: string) {}

  hasWork(): boolean {
    return (this.mailbox !== undefined && this.mailbox.size > 0) || this.idleTickDue;
  }
}
