import { type BusHandler, ConfigError } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { createMockMessageBus } from './mock-message-bus';

describe('createMockMessageBus', () => {
  it('records sent messages and delivers them before `send` resolves', async () => {
    const bus = createMockMessageBus();
    const seen: string[] = [];
    bus.subscribe(async (message) => {
      await Promise.resolve();
      seen.push(message.content);
    });
    await bus.send({ from: 'agent', to: 'supervisor', content: 'help' });
    expect(seen).toEqual(['help']);
    expect(bus.getCalls()).toEqual([{ from: 'agent', to: 'supervisor', content: 'help' }]);
    expect(bus.getCalls()[0].to).toBe('supervisor');
  });

  it('gives each handler its own copy', async () => {
    const bus = createMockMessageBus();
    const contents: string[] = [];
    bus.subscribe((message) => {
      message.content = 'tampered';
    });
    bus.subscribe((message) => {
      contents.push(message.content);
    });
    await bus.send({ from: 'a', to: 'b', content: 'original', metadata: { n: 1 } });
    expect(contents).toEqual(['original']);
    expect(bus.getCalls()[0].content).toBe('original');
  });

  it('records handler failures without breaking send or other handlers', async () => {
    const bus = createMockMessageBus();
    const crash = new Error('crash');
    let delivered = 0;
    bus.subscribe(() => {
      throw crash;
    });
    bus.subscribe(async () => Promise.reject(new Error('reject')));
    bus.subscribe(() => {
      delivered++;
    });
    await expect(bus.send({ from: 'a', to: 'b', content: 'x' })).resolves.toBeUndefined();
    expect(delivered).toBe(1);
    const errors = bus.getHandlerErrors();
    expect(errors).toHaveLength(2);
    expect(errors[0].error).toBe(crash);
    expect(errors[0].message.content).toBe('x');
  });

  it('filters by `to`, unsubscribes, and resets the records but not the subscriptions', async () => {
    const bus = createMockMessageBus();
    const inbox: string[] = [];
    const unsubscribe = bus.subscribe(
      (message) => {
        inbox.push(message.content);
      },
      { to: 'me' },
    );
    await bus.send({ from: 'a', to: 'someone-else', content: 'not mine' });
    await bus.send({ from: 'a', to: 'me', content: 'mine' });
    expect(inbox).toEqual(['mine']);
    bus.reset();
    expect(bus.getCalls()).toEqual([]);
    expect(bus.subscriberCount()).toBe(1);
    unsubscribe();
    expect(bus.subscriberCount()).toBe(0);
    await bus.send({ from: 'a', to: 'me', content: 'after' });
    expect(inbox).toEqual(['mine']);
  });

  describe('bad input fails at the call that made the mistake', () => {
    it('rejects a handler that is not a function', () => {
      const bus = createMockMessageBus();
      expect(() => bus.subscribe('handler' as unknown as BusHandler)).toThrow(ConfigError);
      expect(() => bus.subscribe('handler' as unknown as BusHandler)).toThrow(/handler/);
      expect(bus.subscriberCount()).toBe(0);
    });

    it('rejects bad subscribe options', () => {
      const bus = createMockMessageBus();
      expect(() => bus.subscribe(() => {}, { to: '' })).toThrow(/options\.to/);
      expect(() => bus.subscribe(() => {}, 'me' as never)).toThrow(ConfigError);
    });

    it('rejects a malformed message, naming the field, and records nothing', async () => {
      const bus = createMockMessageBus();
      const error = await bus
        .send({ from: 'a', to: 'b', content: 42 } as never)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('INVALID_MESSAGE');
      expect((error as ConfigError).message).toContain('message.content');
      expect(bus.getCalls()).toEqual([]);
    });
  });
});
