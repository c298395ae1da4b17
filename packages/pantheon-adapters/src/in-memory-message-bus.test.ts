import type { BusMessage } from '@promethean-os/pantheon-core';
import { describe, expect, it, vi } from 'vitest';
import { InMemoryMessageBus } from './in-memory-message-bus';

const message = (to: string, content = 'hi'): BusMessage => ({ from: 'a', to, content });

describe('InMemoryMessageBus', () => {
  it('delivers to every subscriber, filtered by recipient, and stops after unsubscribe', async () => {
    const bus = new InMemoryMessageBus();
    const all: string[] = [];
    const forB: string[] = [];
    const unsubscribe = bus.subscribe((received) => {
      all.push(received.to);
    });
    bus.subscribe(
      (received) => {
        forB.push(received.content);
      },
      { to: 'b' },
    );
    await bus.send(message('b', 'one'));
    await bus.send(message('c', 'two'));
    unsubscribe();
    await bus.send(message('b', 'three'));
    expect(all).toEqual(['b', 'c']);
    expect(forB).toEqual(['one', 'three']);
    expect(bus.subscriberCount).toBe(1);
  });

  it('isolates handlers that throw or reject, and reports them', async () => {
    const onHandlerError = vi.fn();
    const bus = new InMemoryMessageBus({ onHandlerError });
    const received: string[] = [];
    bus.subscribe(() => {
      throw new Error('sync failure');
    });
    bus.subscribe(async () => {
      throw new Error('async failure');
    });
    bus.subscribe((incoming) => {
      received.push(incoming.content);
    });
    await expect(bus.send(message('x', 'still delivered'))).resolves.toBeUndefined();
    expect(received).toEqual(['still delivered']);
    expect(onHandlerError).toHaveBeenCalledTimes(2);
    expect(onHandlerError.mock.calls.map(([error]) => (error as Error).message).sort()).toEqual([
      'async failure',
      'sync failure',
    ]);
  });

  it('waits for async handlers before send resolves', async () => {
    const bus = new InMemoryMessageBus();
    let handled = false;
    bus.subscribe(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      handled = true;
    });
    await bus.send(message('x'));
    expect(handled).toBe(true);
  });

  it('rejects a handler that is not a function with a ConfigError INVALID_ARGUMENT', () => {
    const bus = new InMemoryMessageBus();
    expect(() => bus.subscribe('nope' as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(bus.subscriberCount).toBe(0);
  });
});
