import {
  type BusHandler,
  type BusMessage,
  ConfigError,
  type MessageBus,
} from '@promethean-os/pantheon-core';
import { describe, expect, it, vi } from 'vitest';
import {
  type ContractOptions,
  expectPantheonError,
  failureOf,
  type PortFactory,
  usePort,
} from './support';

/** Options of `describeMessageBusContract`. */
export interface MessageBusContractOptions<P extends MessageBus> extends ContractOptions<P> {
  /** How long a delivery may take after `send` resolves (brokers deliver asynchronously). Default 2,000 ms. */
  deliveryTimeoutMs?: number;
}

/** A handler that keeps what it receives. */
function inbox() {
  const received: BusMessage[] = [];
  const handler: BusHandler = (message) => {
    received.push(message);
  };
  return { received, handler, contents: () => received.map((message) => message.content) };
}

/**
 * Registers the `MessageBus` contract for an adapter: a sent message reaches every subscriber
 * with all its fields, in send order; `{ to }` subscribers only get messages to that recipient;
 * unsubscribing stops delivery (twice is harmless); a handler that throws or rejects never
 * breaks `send` or the other handlers; a non-function handler is a `ConfigError`
 * `INVALID_ARGUMENT` at `subscribe` and a malformed message a `ConfigError` `INVALID_MESSAGE` at
 * `send` (delivered to nobody) — the codes of every bus. Deliveries may be asynchronous: the suite waits for them (up to
 * `deliveryTimeoutMs`), and checks that something was *not* delivered by sending a later
 * message that is, so buses that deliver in order need no fixed sleeps.
 *
 * @example
 * describeMessageBusContract('InMemoryMessageBus', () => new InMemoryMessageBus());
 */
export function describeMessageBusContract<P extends MessageBus>(
  name: string,
  factory: PortFactory<P>,
  options: MessageBusContractOptions<P> = {},
): void {
  const timeout = options.deliveryTimeoutMs ?? 2_000;
  const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout, interval: 5 });

  describe(`MessageBus contract: ${name}`, () => {
    const bus = usePort(factory, options.cleanup);

    it('delivers a sent message with all its fields', async () => {
      const box = inbox();
      bus().subscribe(box.handler);
      const message: BusMessage = {
        id: 'message-1',
        from: 'agent-1',
        to: 'supervisor',
        content: 'Please take over',
        timestamp: 1_700_000_000_000,
        priority: 'high',
        correlationId: 'request-9',
        metadata: { ticket: 42 },
      };
      await bus().send(message);
      await eventually(() => expect(box.received).toHaveLength(1));
      expect(box.received[0]).toMatchObject(message);
    });

    it('delivers to every subscriber, in send order', async () => {
      const first = inbox();
      const second = inbox();
      bus().subscribe(first.handler);
      bus().subscribe(second.handler);
      for (const content of ['one', 'two', 'three']) {
        await bus().send({ from: 'agent-1', to: 'agent-2', content });
      }
      await eventually(() => expect(second.received).toHaveLength(3));
      await eventually(() => expect(first.received).toHaveLength(3));
      expect(first.contents()).toEqual(['one', 'two', 'three']);
      expect(second.contents()).toEqual(['one', 'two', 'three']);
    });

    it('delivers only messages to `to` to a filtered subscriber', async () => {
      const supervisor = inbox();
      const everyone = inbox();
      bus().subscribe(supervisor.handler, { to: 'supervisor' });
      bus().subscribe(everyone.handler);
      await bus().send({ from: 'agent-1', to: 'user', content: 'for the user' });
      await bus().send({ from: 'agent-1', to: 'supervisor', content: 'for the supervisor' });
      await eventually(() => expect(supervisor.received).toHaveLength(1));
      await eventually(() => expect(everyone.received).toHaveLength(2));
      expect(supervisor.contents()).toEqual(['for the supervisor']);
    });

    it('stops delivering after unsubscribe, and unsubscribing twice is harmless', async () => {
      const leaving = inbox();
      const staying = inbox();
      const unsubscribe = bus().subscribe(leaving.handler);
      bus().subscribe(staying.handler);
      await bus().send({ from: 'a', to: 'b', content: 'before' });
      await eventually(() => expect(leaving.received).toHaveLength(1));
      unsubscribe();
      unsubscribe();
      await bus().send({ from: 'a', to: 'b', content: 'after' });
      await eventually(() => expect(staying.contents()).toEqual(['before', 'after']));
      expect(leaving.contents()).toEqual(['before']);
    });

    it('isolates handlers that throw or reject', async () => {
      const before = inbox();
      const after = inbox();
      bus().subscribe(before.handler);
      bus().subscribe(() => {
        throw new Error('handler crashed');
      });
      bus().subscribe(async () => {
        throw new Error('handler rejected');
      });
      bus().subscribe(after.handler);
      await expect(bus().send({ from: 'a', to: 'b', content: 'first' })).resolves.toBeUndefined();
      await expect(bus().send({ from: 'a', to: 'b', content: 'second' })).resolves.toBeUndefined();
      await eventually(() => expect(after.contents()).toEqual(['first', 'second']));
      await eventually(() => expect(before.contents()).toEqual(['first', 'second']));
    });

    it('rejects a handler that is not a function at `subscribe` with INVALID_ARGUMENT', () => {
      let thrown: unknown;
      try {
        bus().subscribe('not a handler' as unknown as BusHandler);
      } catch (error) {
        thrown = error;
      }
      expectPantheonError(thrown, 'INVALID_ARGUMENT', ConfigError);
    });

    it('rejects a malformed message at `send` with INVALID_MESSAGE', async () => {
      const box = inbox();
      bus().subscribe(box.handler);
      for (const malformed of [
        { from: 'a', content: 'no recipient' },
        { from: 'a', to: 'b', content: 42 },
        null,
      ]) {
        expectPantheonError(
          await failureOf(() => bus().send(malformed as unknown as BusMessage)),
          'INVALID_MESSAGE',
          ConfigError,
        );
      }
      await bus().send({ from: 'a', to: 'b', content: 'valid' });
      await eventually(() => expect(box.contents()).toEqual(['valid']));
    });
  });
}
