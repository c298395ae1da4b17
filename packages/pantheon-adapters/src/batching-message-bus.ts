import {
  type BusHandler,
  type BusMessage,
  ConfigError,
  type MessageBus,
  PantheonError,
  type Scheduler,
  type SubscribeOptions,
} from '@promethean-os/pantheon-core';
import { checkBusMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { NodeScheduler } from './node-scheduler';

/** Options of `BatchingMessageBus`. */
export interface BatchingMessageBusOptions {
  /** A batch is flushed as soon as it holds this many messages. */
  maxBatchSize: number;
  /** …or this many milliseconds after its first message, whichever comes first. */
  maxDelayMs: number;
  /** Timer for `maxDelayMs`; defaults to a `NodeScheduler` (real time). */
  scheduler?: Scheduler;
}

/** What a flush did. */
export interface FlushResult {
  /** Messages the wrapped bus accepted. */
  sent: number;
  /** Messages it rejected; their `send` calls rejected with its error. */
  failed: number;
}

interface Queued {
  message: BusMessage;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Collects sends into batches and hands each batch to the wrapped bus message by message, in
 * order (e.g. to coalesce many small sends into one flush per `maxDelayMs`). A batch is flushed when it reaches `maxBatchSize`, `maxDelayMs` after its first message (on the
 * Scheduler port), or on `flush()`/`close()`. Each `send` resolves once the wrapped bus accepted
 * its message and rejects with the wrapped bus's error otherwise, so nothing is lost silently: a
 * failing message does not stop the rest of its batch. Batches never overlap, so order holds.
 * A malformed message is rejected at `send` (`INVALID_MESSAGE`), before it is queued. After
 * `close()` (which flushes what is queued), `send` rejects with `BUS_CLOSED`.
 * `subscribe` goes to the wrapped bus unchanged. A caller that awaits `send` waits up to
 * `maxDelayMs` for its batch to flush.
 *
 * @example
 * const bus = new BatchingMessageBus(new InMemoryMessageBus(), {
 *   maxBatchSize: 100,
 *   maxDelayMs: 10,
 *   scheduler: new NodeScheduler(),
 * });
 */
export class BatchingMessageBus implements MessageBus {
  private readonly maxBatchSize: number;
  private readonly maxDelayMs: number;
  private readonly scheduler: Scheduler;
  private queue: Queued[] = [];
  private cancelTimer: (() => void) | undefined;
  private flushing: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly inner: MessageBus,
    options: BatchingMessageBusOptions,
  ) {
    if (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
      throw new ConfigError('maxBatchSize must be a positive integer', {
        maxBatchSize: options.maxBatchSize,
      });
    }
    if (!(options.maxDelayMs >= 0)) {
      throw new ConfigError('maxDelayMs must be a non-negative number', {
        maxDelayMs: options.maxDelayMs,
      });
    }
    this.maxBatchSize = options.maxBatchSize;
    this.maxDelayMs = options.maxDelayMs;
    this.scheduler = options.scheduler ?? new NodeScheduler();
  }

  send(message: BusMessage): Promise<void> {
    try {
      checkBusMessage(message);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.closed) {
      return Promise.reject(
        new PantheonError('The batching bus is closed', 'BUS_CLOSED', { to: message?.to }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (this.queue.length >= this.maxBatchSize) void this.flush();
      else if (!this.cancelTimer) {
        const cancel = this.scheduler.once(this.maxDelayMs, () => {
          this.cancelTimer = undefined;
          return this.flush().then(() => undefined);
        });
        this.cancelTimer = typeof cancel === 'function' ? cancel : () => {};
      }
    });
  }

  subscribe(handler: BusHandler, options?: SubscribeOptions): () => void {
    return this.inner.subscribe(handler, options);
  }

  /** Messages waiting for the next flush. */
  get pendingCount(): number {
    return this.queue.length;
  }

  /**
   * Sends what is queued now, after any flush still running; resolves when every message of it
   * settled (never rejects: failed messages reject their own `send`).
   */
  flush(): Promise<FlushResult> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const batch = this.queue;
    this.queue = [];
    const run = this.flushing.then(() => this.deliver(batch));
    this.flushing = run;
    return run;
  }

  /** Stops accepting sends and flushes what is queued. */
  close(): Promise<FlushResult> {
    this.closed = true;
    return this.flush();
  }

  private async deliver(batch: Queued[]): Promise<FlushResult> {
    const result: FlushResult = { sent: 0, failed: 0 };
    for (const { message, resolve, reject } of batch) {
      try {
        await this.inner.send(message);
        result.sent++;
        resolve();
      } catch (error) {
        result.failed++;
        reject(error);
      }
    }
    return result;
  }
}
