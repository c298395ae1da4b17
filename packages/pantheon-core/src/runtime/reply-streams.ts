import type { BehaviorEvent, PendingApproval, ReplyStreamEvent } from '../approval-types';
import { PantheonError } from '../errors';
import type { TickInput } from '../orchestrator/types';
import type { BusMessage } from '../ports/message-bus';

/** Events a stream holds for a slow reader before the producing behavior waits. */
export const DEFAULT_STREAM_BUFFER = 64;

/**
 * One streamed request, read with `for await`. A bounded queue sits between the actor and the
 * reader: behaviors `await` what `emit` returns, which stays pending while `capacity` events wait
 * unread, so a slow reader slows the model's stream down instead of piling events up. The last
 * event is `message` (the answer) or `error`; events the runtime adds (`approval-requested`,
 * the last one) never wait. Ending the iteration early (`break`, `return()`) cancels the tick
 * working on it through `signal`.
 */
export class ReplyStream implements AsyncIterableIterator<ReplyStreamEvent> {
  /** Aborted when the reader stops early, or the request fails: cancels the working tick. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly queue: ReplyStreamEvent[] = [];
  private reader: ((result: IteratorResult<ReplyStreamEvent>) => void) | undefined;
  private readonly producers: Array<() => void> = [];
  private ended = false;
  private cancelled = false;

  constructor(
    readonly actorId: string,
    private readonly capacity: number,
    private readonly onClose: (stream: ReplyStream) => void,
  ) {
    this.signal = this.controller.signal;
  }

  /** True once the reader stopped before the end. */
  get wasCancelled(): boolean {
    return this.cancelled;
  }

  /** Hands a behavior's event to the reader; a promise while the queue is full. */
  emit(event: BehaviorEvent): void | Promise<void> {
    if (this.ended) return;
    this.offer({ ...event, actorId: this.actorId } as ReplyStreamEvent);
    if (this.queue.length < this.capacity) return;
    return new Promise((resolve) => this.producers.push(resolve));
  }

  /** A runtime event: queued even when the queue is full (there are few, and they never wait). */
  notify(event: ReplyStreamEvent): void {
    if (!this.ended) this.offer(event);
  }

  /** Ends the stream with its last event; a failure also cancels the tick still working on it. */
  finish(last: ReplyStreamEvent): void {
    if (this.ended) return;
    this.offer(last);
    this.ended = true;
    if (last.type === 'error') this.controller.abort(last.error);
    this.releaseProducers();
    this.onClose(this);
  }

  next(): Promise<IteratorResult<ReplyStreamEvent>> {
    const event = this.queue.shift();
    if (event !== undefined) {
      if (this.queue.length < this.capacity) this.producers.shift()?.();
      return Promise.resolve({ value: event, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.reader = resolve;
    });
  }

  /** The reader stops: the tick working on the request is aborted, later events are dropped. */
  return(): Promise<IteratorResult<ReplyStreamEvent>> {
    if (!this.ended) {
      this.cancelled = true;
      this.ended = true;
      this.queue.length = 0;
      this.controller.abort(
        new PantheonError('The reader stopped the reply stream', 'ABORTED', {
          actorId: this.actorId,
        }),
      );
      this.releaseProducers();
      this.onClose(this);
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private offer(event: ReplyStreamEvent): void {
    const reader = this.reader;
    if (reader) {
      this.reader = undefined;
      reader({ value: event, done: false });
    } else {
      this.queue.push(event);
    }
  }

  private releaseProducers(): void {
    for (const resolve of this.producers.splice(0)) resolve();
    if (this.queue.length === 0) {
      const reader = this.reader;
      this.reader = undefined;
      reader?.({ value: undefined, done: true });
    }
  }
}

/**
 * The open reply streams by request (`correlationId`): every tick of the request's chain — the
 * actor asked, one it handed off to, the tick resuming after an approval — reports to it.
 */
export class ReplyStreams {
  private readonly open = new Map<string, ReplyStream>();
  private readonly attached = new WeakMap<TickInput, ReplyStream>();

  /** Opens the stream of a new request. */
  start(correlationId: string, actorId: string, capacity = DEFAULT_STREAM_BUFFER): ReplyStream {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new PantheonError('stream: bufferSize must be a positive integer', 'INVALID_ARGUMENT', {
        bufferSize: capacity,
      });
    }
    const stream = new ReplyStream(actorId, capacity, () => this.open.delete(correlationId));
    this.open.set(correlationId, stream);
    return stream;
  }

  /** Gives a tick of a streamed request its `emit` and the stream's cancellation. */
  attach(input: TickInput | undefined): void {
    if (this.open.size === 0 || input?.correlationId === undefined) return;
    const stream = this.open.get(input.correlationId);
    if (!stream) return;
    this.attached.set(input, stream);
    input.emit = (event) => stream.emit(event);
    input.signal =
      input.signal === undefined ? stream.signal : AbortSignal.any([input.signal, stream.signal]);
  }

  /**
   * True when the tick's request was streamed and the stream cancelled it — its reader left, or
   * the request ended (e.g. timed out) while the tick still ran: no failure of the actor's.
   */
  cancelled(input: TickInput | undefined): boolean {
    return input !== undefined && this.attached.get(input)?.signal.aborted === true;
  }

  /** Tells the request's stream that one of its tool calls waits for approval. */
  approvalRequested(approval: PendingApproval): void {
    if (approval.correlationId === undefined) return;
    this.open
      .get(approval.correlationId)
      ?.notify({ type: 'approval-requested', actorId: approval.actorId, approval });
  }

  /** Ends a stream with its answer. */
  answered(stream: ReplyStream, message: BusMessage): void {
    stream.finish({ type: 'message', actorId: message.from, message });
  }

  /** Ends a stream with why its request failed. */
  failed(stream: ReplyStream, error: PantheonError): void {
    stream.finish({ type: 'error', actorId: stream.actorId, error });
  }
}
