import type { BusMessage, MessageBus } from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchingMessageBus } from './batching-message-bus';
import { InMemoryMessageBus } from './in-memory-message-bus';
import { MonitoredMessageBus } from './monitored-message-bus';
import { NodeScheduler } from './node-scheduler';

afterEach(() => {
  vi.useRealTimers();
});

const message = (content: string, to = 'b'): BusMessage => ({ from: 'a', to, content });

describe('MonitoredMessageBus', () => {
  it('reports each send with its duration and each delivery to a handler', async () => {
    let clock = 0;
    const inner = new InMemoryMessageBus();
    const sends: unknown[][] = [];
    const deliveries: string[] = [];
    const bus = new MonitoredMessageBus(inner, {
      onSend: (...call) => sends.push(call),
      onDeliver: (delivered) => deliveries.push(`${delivered.to}:${delivered.content}`),
      now: () => clock,
    });
    const received: string[] = [];
    bus.subscribe(
      async (delivered) => {
        clock += 5;
        received.push(delivered.content);
      },
      { to: 'b' },
    );
    await bus.send(message('one'));
    await bus.send(message('nobody listens', 'c'));
    expect(received).toEqual(['one']);
    expect(deliveries).toEqual(['b:one']);
    expect(sends).toEqual([
      [message('one'), 5],
      [message('nobody listens', 'c'), 0],
    ]);
  });

  it('passes send failures through, reporting them, and survives throwing callbacks', async () => {
    const failure = new Error('broker down');
    const broken: MessageBus = { send: () => Promise.reject(failure), subscribe: () => () => {} };
    const onSend = vi.fn();
    await expect(new MonitoredMessageBus(broken, { onSend }).send(message('x'))).rejects.toBe(
      failure,
    );
    expect(onSend).toHaveBeenCalledWith(message('x'), expect.any(Number), failure);

    const inner = new InMemoryMessageBus();
    const bus = new MonitoredMessageBus(inner, {
      onSend: () => {
        throw new Error('observer bug');
      },
      onDeliver: () => {
        throw new Error('observer bug');
      },
    });
    const received: string[] = [];
    const unsubscribe = bus.subscribe((delivered) => {
      received.push(delivered.content);
    });
    await bus.send(message('still delivered'));
    unsubscribe();
    await bus.send(message('after unsubscribe'));
    expect(received).toEqual(['still delivered']);
  });
});

describe('BatchingMessageBus', () => {
  function recordingBus(fail?: (message: BusMessage) => boolean) {
    const sent: string[] = [];
    const bus: MessageBus = {
      async send(outgoing) {
        if (fail?.(outgoing)) throw new Error(`cannot send ${outgoing.content}`);
        sent.push(outgoing.content);
      },
      subscribe: () => () => {},
    };
    return { bus, sent };
  }

  it('flushes when a batch is full, in order, resolving each send', async () => {
    const { bus, sent } = recordingBus();
    const batching = new BatchingMessageBus(bus, { maxBatchSize: 3, maxDelayMs: 60_000 });
    const first = batching.send(message('1'));
    const second = batching.send(message('2'));
    expect(sent).toEqual([]);
    expect(batching.pendingCount).toBe(2);
    const third = batching.send(message('3'));
    await Promise.all([first, second, third]);
    expect(sent).toEqual(['1', '2', '3']);
    expect(batching.pendingCount).toBe(0);
  });

  it('flushes maxDelayMs after the first message of a batch, on the scheduler', async () => {
    vi.useFakeTimers();
    const { bus, sent } = recordingBus();
    const batching = new BatchingMessageBus(bus, {
      maxBatchSize: 100,
      maxDelayMs: 50,
      scheduler: new NodeScheduler(),
    });
    const sends = [batching.send(message('a'))];
    await vi.advanceTimersByTimeAsync(30);
    sends.push(batching.send(message('b')));
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    await Promise.all(sends);
    expect(sent).toEqual(['a', 'b']);
    sends.push(batching.send(message('c')));
    await vi.advanceTimersByTimeAsync(49);
    expect(sent).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(sends);
    expect(sent).toEqual(['a', 'b', 'c']);
  });

  it('rejects exactly the sends the wrapped bus rejected, and delivers the rest', async () => {
    const { bus, sent } = recordingBus((outgoing) => outgoing.content === 'bad');
    const batching = new BatchingMessageBus(bus, { maxBatchSize: 10, maxDelayMs: 60_000 });
    const outcomes = Promise.allSettled(
      ['ok-1', 'bad', 'ok-2'].map((content) => batching.send(message(content))),
    );
    expect(await batching.flush()).toEqual({ sent: 2, failed: 1 });
    const settled = await outcomes;
    expect(settled.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({
      message: 'cannot send bad',
    });
    expect(sent).toEqual(['ok-1', 'ok-2']);
  });

  it('keeps order across overlapping flushes', async () => {
    const sent: string[] = [];
    const slow: MessageBus = {
      async send(outgoing) {
        await new Promise((resolve) => setTimeout(resolve, outgoing.content === '1' ? 20 : 0));
        sent.push(outgoing.content);
      },
      subscribe: () => () => {},
    };
    const batching = new BatchingMessageBus(slow, { maxBatchSize: 1, maxDelayMs: 60_000 });
    await Promise.all(['1', '2', '3'].map((content) => batching.send(message(content))));
    expect(sent).toEqual(['1', '2', '3']);
  });

  it('close flushes what is queued, then refuses sends with BUS_CLOSED', async () => {
    vi.useFakeTimers();
    const { bus, sent } = recordingBus();
    const batching = new BatchingMessageBus(bus, { maxBatchSize: 10, maxDelayMs: 1000 });
    const queued = batching.send(message('last'));
    expect(await batching.close()).toEqual({ sent: 1, failed: 0 });
    await queued;
    await expect(batching.send(message('late'))).rejects.toMatchObject({ code: 'BUS_CLOSED' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent).toEqual(['last']);
  });

  it('delegates subscribe and rejects bad settings', async () => {
    const inner = new InMemoryMessageBus();
    const batching = new BatchingMessageBus(inner, { maxBatchSize: 1, maxDelayMs: 0 });
    const received: string[] = [];
    batching.subscribe((delivered) => {
      received.push(delivered.content);
    });
    await batching.send(message('hello'));
    expect(received).toEqual(['hello']);
    for (const options of [
      { maxBatchSize: 0, maxDelayMs: 1 },
      { maxBatchSize: 2.5, maxDelayMs: 1 },
      { maxBatchSize: 1, maxDelayMs: -1 },
    ]) {
      expect(() => new BatchingMessageBus(inner, options)).toThrow(
        expect.objectContaining({ code: 'CONFIG_ERROR' }),
      );
    }
  });
});
