import type {
  BusHandler,
  BusMessage,
  MessageBus,
  SubscribeOptions,
} from '@promethean-os/pantheon-core';

/** Options of `MonitoredMessageBus`. */
export interface MonitoredMessageBusOptions {
  /**
   * Called once per `send`, after it settled, with how long it took and the error when it
   * rejected. A callback that throws is ignored.
   */
  onSend: (message: BusMessage, durationMs: number, error?: unknown) => void;
  /** Called each time a subscribed handler is given a message, before the handler runs. */
  onDeliver?: (message: BusMessage) => void;
  /** Clock in milliseconds; defaults to `performance.now`. */
  now?: () => number;
}

/**
 * Observes a message bus: every send (with its duration and outcome) and, with `onDeliver`,
 * every delivery to a handler. Messages, results and errors pass through unchanged.
 *
 * @example
 * const bus = new MonitoredMessageBus(new InMemoryMessageBus(), {
 *   onSend: (message, durationMs, error) => log('bus send', { to: message.to, durationMs, error }),
 *   onDeliver: (message) => delivered.inc({ to: message.to }),
 * });
 */
export class MonitoredMessageBus implements MessageBus {
  private readonly options: MonitoredMessageBusOptions;
  private readonly now: () => number;

  constructor(
    private readonly inner: MessageBus,
    options: MonitoredMessageBusOptions,
  ) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  async send(message: BusMessage): Promise<void> {
    const started = this.now();
    let failure: { error: unknown } | undefined;
    try {
      await this.inner.send(message);
    } catch (error) {
      failure = { error };
      throw error;
    } finally {
      try {
        if (failure) this.options.onSend(message, this.now() - started, failure.error);
        else this.options.onSend(message, this.now() - started);
      } catch {
        // Monitoring never changes what the caller gets.
      }
    }
  }

  subscribe(handler: BusHandler, options?: SubscribeOptions): () => void {
    const onDeliver = this.options.onDeliver;
    // A handler that is not a function goes unwrapped, so the wrapped bus rejects it at once.
    if (!onDeliver || typeof handler !== 'function') return this.inner.subscribe(handler, options);
    return this.inner.subscribe((message) => {
      try {
        onDeliver(message);
      } catch {
        // Monitoring never keeps a message from its handler.
      }
      return handler(message);
    }, options);
  }
}
