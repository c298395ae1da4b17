import type {
  BusHandler,
  BusMessage,
  MessageBus,
  SubscribeOptions,
} from '@promethean-os/pantheon-core';
import { checkBusMessage, requireFunction } from '@promethean-os/pantheon-core/adapter-kit';

/** Options of `InMemoryMessageBus`. */
export interface InMemoryMessageBusOptions {
  /** Called when a handler throws or rejects; defaults to `console.error`. */
  onHandlerError?: (error: unknown, message: BusMessage) => void;
}

interface Subscription {
  handler: BusHandler;
  to: string | undefined;
}

/**
 * A message bus inside one process. `send` resolves once every matching handler has settled;
 * a handler that throws or rejects is reported to `onHandlerError` and never affects `send` or
 * the other handlers.
 */
export class InMemoryMessageBus implements MessageBus {
  private readonly subscriptions = new Set<Subscription>();
  private readonly onHandlerError: (error: unknown, message: BusMessage) => void;

  constructor(options: InMemoryMessageBusOptions = {}) {
    this.onHandlerError =
      options.onHandlerError ??
      ((error, message) =>
        console.error(
          `[pantheon] message bus handler failed for a message to ${message.to}`,
          error,
        ));
  }

  /**
   * Delivers `message`; a malformed message is a `ConfigError` `INVALID_MESSAGE` naming the
   * fields, delivered to nobody.
   */
  async send(message: BusMessage): Promise<void> {
    checkBusMessage(message);
    let pending: Promise<void>[] | undefined;
    for (const subscription of this.subscriptions) {
      if (subscription.to !== undefined && subscription.to !== message.to) continue;
      try {
        const outcome = subscription.handler(message);
        if (outcome && typeof outcome.then === 'function') {
          pending ??= [];
          pending.push(outcome.then(undefined, (error) => this.onHandlerError(error, message)));
        }
      } catch (error) {
        this.onHandlerError(error, message);
      }
    }
    if (pending) await Promise.all(pending);
  }

  /** Subscribes `handler`; a handler that is not a function is a `ConfigError` `INVALID_ARGUMENT`. */
  subscribe(handler: BusHandler, options: SubscribeOptions = {}): () => void {
    requireFunction('MessageBus.subscribe', 'handler', handler);
    const subscription: Subscription = { handler, to: options.to };
    this.subscriptions.add(subscription);
    return () => {
      this.subscriptions.delete(subscription);
    };
  }

  /** How many handlers are subscribed. */
  get subscriberCount(): number {
    return this.subscriptions.size;
  }
}
