import type {
  BusHandler,
  BusMessage,
  MessageBus,
  SubscribeOptions,
} from '@promethean-os/pantheon-core';
import {
  checkBusMessage,
  describeValue,
  invalidArgument,
  requireFunction,
} from '@promethean-os/pantheon-core/adapter-kit';
import { copyData } from './internal/copy-data';
import { type RecordedCalls, recorded } from './recorded-calls';

/** A handler failure the bus isolated. */
export interface MockBusHandlerError {
  message: BusMessage;
  error: unknown;
}

/** A working in-process `MessageBus` that also records what was sent. */
export interface MockMessageBus extends MessageBus {
  /** Every message sent so far (copies, as sent), oldest first. */
  getCalls(): RecordedCalls<BusMessage>;
  /** Every error a handler threw or rejected with, with the message it was handling. */
  getHandlerErrors(): RecordedCalls<MockBusHandlerError>;
  /** How many handlers are subscribed. */
  subscriberCount(): number;
  /** Forgets the recorded calls and handler errors; subscriptions stay. */
  reset(): void;
}

interface Subscription {
  handler: BusHandler;
  to: string | undefined;
}

/**
 * Creates a working bus for unit tests. `send` validates the message like every bus
 * (`checkBusMessage`: `ConfigError` `INVALID_MESSAGE`), records it, calls every matching handler (all of them, or only those
 * subscribed with `{ to }` equal to the recipient) with its own copy, in subscription order, and
 * resolves once they have all settled. A handler that throws or rejects is recorded in
 * `getHandlerErrors()` and never breaks `send` or the other handlers.
 *
 * @example
 * const bus = createMockMessageBus();
 * bus.subscribe((message) => inbox.push(message), { to: 'supervisor' });
 * await bus.send({ from: 'agent-1', to: 'supervisor', content: 'Please take over' });
 * bus.getCalls()[0].to; // 'supervisor'
 */
export function createMockMessageBus(): MockMessageBus {
  let subscriptions: Subscription[] = [];
  let calls: BusMessage[] = [];
  let handlerErrors: MockBusHandlerError[] = [];

  return {
    async send(message) {
      checkBusMessage(message);
      const sent = copyData(message);
      calls.push(sent);
      const recipients = subscriptions.filter(({ to }) => to === undefined || to === sent.to);
      const deliveries = recipients.map(({ handler }) => {
        const delivered = copyData(sent);
        try {
          return Promise.resolve(handler(delivered)).catch((error: unknown) => {
            handlerErrors.push({ message: copyData(sent), error });
          });
        } catch (error) {
          handlerErrors.push({ message: copyData(sent), error });
          return undefined;
        }
      });
      await Promise.all(deliveries);
    },
    subscribe(handler, options?: SubscribeOptions) {
      requireFunction('MessageBus.subscribe', 'handler', handler);
      if (options !== undefined) {
        if (typeof options !== 'object' || options === null) {
          throw invalidArgument('MessageBus.subscribe', [
            { path: 'options', message: `expected an object, received ${describeValue(options)}` },
          ]);
        }
        if (options.to !== undefined && (typeof options.to !== 'string' || options.to === '')) {
          throw invalidArgument('MessageBus.subscribe', [
            { path: 'options.to', message: 'expected a non-empty string' },
          ]);
        }
      }
      const subscription: Subscription = { handler, to: options?.to };
      subscriptions = [...subscriptions, subscription];
      return () => {
        subscriptions = subscriptions.filter((entry) => entry !== subscription);
      };
    },
    getCalls: () => recorded(copyData(calls)),
    getHandlerErrors: () =>
      recorded(handlerErrors.map(({ message, error }) => ({ message: copyData(message), error }))),
    subscriberCount: () => subscriptions.length,
    reset() {
      calls = [];
      handlerErrors = [];
    },
  };
}
