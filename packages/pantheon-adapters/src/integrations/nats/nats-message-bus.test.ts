import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { BusMessage } from '@promethean-os/pantheon-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNatsMessageBus, type NatsDeadLetter, subjectToken } from './nats-message-bus';
import { NATS_URL, OwnNatsServer, reconnecting } from './nats-server.test-support';

const run = crypto.randomUUID().slice(0, 8);
let streamCount = 0;
const nextStream = () => `pantheon_bus_${run}_${streamCount++}`;
const eventually = (assertion: () => void, timeout = 10_000) =>
  vi.waitFor(assertion, { timeout, interval: 20 });

describe('NatsMessageBus on the shared server', () => {
  let connection: NatsConnection;
  const streams: string[] = [];
  const stream = () => {
    const name = nextStream();
    streams.push(name);
    return name;
  };

  beforeAll(async () => {
    connection = await connect({ servers: NATS_URL });
  });
  afterAll(async () => {
    const jsm = await jetstreamManager(connection);
    for (const name of streams) await jsm.streams.delete(name).catch(() => undefined);
    await connection.close();
  });

  it('stores a message sent twice with the same id once (Nats-Msg-Id)', async () => {
    const bus = await createNatsMessageBus({ connection, stream: stream() });
    const received: BusMessage[] = [];
    bus.subscribe((message) => {
      received.push(message);
    });
    const message = { id: 'order-1', from: 'user', to: 'billing', content: 'refund' };
    await bus.send(message);
    await bus.send(message);
    await bus.send({ ...message, id: 'order-2', content: 'second' });
    await eventually(() => expect(received.map((m) => m.content)).toEqual(['refund', 'second']));
    await bus.close();
  });

  it('keeps order per recipient and acknowledges after the handler resolves', async () => {
    const name = stream();
    const bus = await createNatsMessageBus({ connection, stream: name });
    const seen: string[] = [];
    const active = new Map<string, number>();
    let overlapped = false;
    bus.subscribe(async (message) => {
      active.set(message.to, (active.get(message.to) ?? 0) + 1);
      if (active.get(message.to)! > 1) overlapped = true;
      // Slower for the first messages, so a bus that did not wait would reorder them.
      await new Promise((resolve) => setTimeout(resolve, message.to === 'slow' ? 20 : 1));
      seen.push(`${message.to}:${message.content}`);
      active.set(message.to, active.get(message.to)! - 1);
    });
    for (let index = 0; index < 10; index++) {
      await bus.send({ from: 'user', to: 'slow', content: String(index) });
      await bus.send({ from: 'user', to: 'fast.actor', content: String(index) });
    }
    await eventually(() => expect(seen).toHaveLength(20));
    const order = (to: string) =>
      seen.filter((entry) => entry.startsWith(`${to}:`)).map((entry) => entry.split(':')[1]);
    expect(order('slow')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(order('fast.actor')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // One recipient's messages were never handled at the same time.
    expect(overlapped).toBe(false);
    await bus.settled();
    const jsm = await jetstreamManager(connection);
    const consumers = await jsm.consumers.list(name).next();
    expect(consumers[0]?.num_ack_pending).toBe(0);
    await bus.close();
  });

  it('dead-letters malformed messages published by something else and goes on', async () => {
    const name = stream();
    const letters: NatsDeadLetter[] = [];
    const bus = await createNatsMessageBus({
      connection,
      stream: name,
      onDeadLetter: (letter) => letters.push(letter),
    });
    const received: string[] = [];
    bus.subscribe((message) => {
      received.push(message.content);
    });
    await bus.send({ from: 'user', to: 'worker', content: 'before' });
    const { jetstream } = await import('@nats-io/jetstream');
    const js = jetstream(connection);
    await js.publish(`${name}.worker`, 'not json at all');
    await js.publish(`${name}.worker`, JSON.stringify({ from: 'user', content: 'no recipient' }));
    await bus.send({ from: 'user', to: 'worker', content: 'after' });
    await eventually(() => expect(received).toEqual(['before', 'after']));
    expect(letters.map((letter) => letter.reason)).toEqual([
      expect.stringContaining('payload is not JSON'),
      expect.stringContaining('to'),
    ]);
    expect(letters[0]).toMatchObject({ subject: `${name}.worker`, data: 'not json at all' });
    expect(bus.deadLetters).toHaveLength(2);
    await bus.close();
  });

  it('retries a failing handler in order with onHandlerFailure: retry', async () => {
    const bus = await createNatsMessageBus({
      connection,
      stream: stream(),
      onHandlerFailure: 'retry',
      onHandlerError: () => {},
    });
    const handled: string[] = [];
    let failures = 2;
    bus.subscribe((message) => {
      if (message.content === 'first' && failures-- > 0) throw new Error('database down');
      handled.push(message.content);
    });
    await bus.send({ from: 'user', to: 'worker', content: 'first' });
    await bus.send({ from: 'user', to: 'worker', content: 'second' });
    await eventually(() => expect(handled).toEqual(['first', 'second']));
    await bus.close();
  });

  it('with pipeline, hands the messages waiting on a subject over together, in order; a failing one is retried and nothing is lost', async () => {
    const name = stream();
    const bus = await createNatsMessageBus({
      connection,
      stream: name,
      consumer: { durableName: 'pipelined', pipeline: true },
      onHandlerFailure: 'retry',
      onHandlerError: () => {},
    });
    const started: string[] = [];
    const handled: string[] = [];
    let active = 0;
    let mostAtOnce = 0;
    let failures = 1;
    let release: () => void = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    bus.subscribe(async (message) => {
      started.push(message.content);
      mostAtOnce = Math.max(mostAtOnce, ++active);
      try {
        // The first message holds the subject while the others arrive.
        if (message.content === '0') await firstHeld;
        else await new Promise((resolve) => setTimeout(resolve, 5));
        if (message.content === '3' && failures-- > 0) throw new Error('database down');
        handled.push(message.content);
      } finally {
        active--;
      }
    });
    await bus.send({ from: 'user', to: 'worker', content: '0' });
    await eventually(() => expect(started).toEqual(['0']));
    for (let index = 1; index < 8; index++) {
      await bus.send({ from: 'user', to: 'worker', content: String(index) });
    }
    // Nothing more starts while the first message is being handled.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(started).toEqual(['0']);
    release();
    await eventually(() => expect(handled).toHaveLength(8));
    // 1–7 were handed over together, in order; 3 failed once and was handled on its retry.
    expect(started.slice(0, 8)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(started.slice(8)).toEqual(['3']);
    expect(mostAtOnce).toBe(7);
    expect([...handled].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    await bus.settled();
    const jsm = await jetstreamManager(connection);
    expect((await jsm.consumers.info(name, 'pipelined')).num_ack_pending).toBe(0);
    await bus.close();
  });

  it('takes over: replaces the predecessor consumer of the same subjects from its ack floor; the predecessor gets nothing more', async () => {
    const name = stream();
    const reader = (durableName: string, handle: (message: BusMessage) => Promise<void>) =>
      createNatsMessageBus({
        connection,
        stream: name,
        consumer: { durableName, filterSubjects: [`${name}.worker`], takeOver: true },
      }).then((bus) => {
        bus.subscribe(handle);
        return bus.ready().then(() => bus);
      });
    // The first owner handles "one" and is stuck on "two" (it never acknowledges it).
    const first: string[] = [];
    const stuck = new Promise<void>(() => {});
    const old = await reader('work-e1', async (message) => {
      first.push(message.content);
      if (message.content === 'two') await stuck;
    });
    for (const content of ['one', 'two', 'three'])
      await old.send({ id: content, from: 'user', to: 'worker', content });
    await eventually(() => expect(first).toEqual(['one', 'two']));

    // Its successor reads a consumer of its own name: from "two" on, at once (no ack wait).
    const second: string[] = [];
    const successor = await reader('work-e2', async (message) => {
      second.push(message.content);
    });
    await eventually(() => expect(second).toEqual(['two', 'three']));
    const jsm = await jetstreamManager(connection);
    const consumers: string[] = [];
    for await (const info of jsm.consumers.list(name)) consumers.push(info.name);
    expect(consumers).toEqual(['work-e2']);
    await successor.send({ id: 'four', from: 'user', to: 'worker', content: 'four' });
    await eventually(() => expect(second).toEqual(['two', 'three', 'four']));
    // The predecessor, still alive, read nothing of its successor's consumer.
    expect(first).toEqual(['one', 'two']);
    await successor.close();
  });

  it('deletes what its durable consumer handled with trimHandled, and nothing else', async () => {
    const name = stream();
    const bus = await createNatsMessageBus({
      connection,
      stream: name,
      consumer: { durableName: 'worker', filterSubjects: [`${name}.worker`] },
    });
    const handled: string[] = [];
    bus.subscribe(async (message) => {
      handled.push(message.content);
    });
    await bus.ready();
    for (const content of ['one', 'two', 'three'])
      await bus.send({ id: content, from: 'user', to: 'worker', content });
    // Another subject of the stream, read by no one here: left alone.
    await bus.send({ id: 'other', from: 'user', to: 'billing', content: 'keep me' });
    await eventually(() => expect(handled).toEqual(['one', 'two', 'three']));
    await vi.waitFor(async () => expect(await bus.trimHandled()).toBe(3));
    expect(await bus.trimHandled()).toBe(0);
    const jsm = await jetstreamManager(connection);
    const { state } = await jsm.streams.info(name, { subjects_filter: '>' });
    expect(state.subjects).toEqual({ [`${name}.billing`]: 1 });
    // A message arriving later is handled as usual, and trimmed in its turn.
    await bus.send({ id: 'four', from: 'user', to: 'worker', content: 'four' });
    await vi.waitFor(async () => expect(await bus.trimHandled()).toBe(1));
    expect(handled).toEqual(['one', 'two', 'three', 'four']);
    await bus.close();
  });

  it('escapes recipients into one subject token', () => {
    expect(subjectToken('team.lead *>')).toBe('team%2Elead%20%2A%3E');
    expect(subjectToken('agent-1_a')).toBe('agent-1_a');
  });

  it('refuses sends after close with BUS_CLOSED', async () => {
    const bus = await createNatsMessageBus({ connection, stream: stream() });
    await bus.close();
    await expect(bus.send({ from: 'a', to: 'b', content: 'late' })).rejects.toMatchObject({
      code: 'BUS_CLOSED',
    });
  });
});

describe('NatsMessageBus when its server dies', () => {
  let server: OwnNatsServer;
  beforeAll(async () => {
    server = await OwnNatsServer.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('fails sends with BUS_UNAVAILABLE while down and loses nothing stored before', async () => {
    const connection = await reconnecting(server.url);
    const stream = nextStream();
    const bus = await createNatsMessageBus({
      connection,
      stream,
      publishTimeoutMs: 1_000,
      consumer: { durableName: 'worker' },
    });
    await bus.send({ id: 'm-1', from: 'user', to: 'worker', content: 'stored before the crash' });
    await server.kill();
    const failed = await bus
      .send({ id: 'm-2', from: 'user', to: 'worker', content: 'while down' })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 'BUS_UNAVAILABLE', name: 'PantheonError' });
    await server.restart();
    // The caller sends the refused message again once the server is back: stored once, in order.
    await vi.waitFor(
      () => bus.send({ id: 'm-2', from: 'user', to: 'worker', content: 'while down' }),
      {
        timeout: 15_000,
        interval: 200,
      },
    );
    const received: string[] = [];
    bus.subscribe((message) => {
      received.push(message.id ?? '');
    });
    await eventually(() => expect(received).toEqual(['m-1', 'm-2']));
    await bus.close();
    await connection.close();
  }, 30_000);

  it('holds a send across a restart and redelivers what a dead consumer did not acknowledge', async () => {
    const stream = nextStream();
    const first = await reconnecting(server.url);
    const dying = await createNatsMessageBus({
      connection: first,
      stream,
      publishTimeoutMs: 20_000,
      consumer: { durableName: 'owner', ackWaitMs: 1_000 },
    });
    let started = 0;
    dying.subscribe(() => {
      started++;
      return new Promise<void>(() => {}); // dies while handling
    });
    await dying.send({ id: 'a', from: 'user', to: 'worker', content: 'a' });
    await eventually(() => expect(started).toBe(1));
    await server.kill();
    const held = dying.send({ id: 'b', from: 'user', to: 'worker', content: 'b' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.restart();
    await held;
    await first.close(); // the process is gone: nothing was acknowledged

    const second = await reconnecting(server.url);
    const survivor = await createNatsMessageBus({
      connection: second,
      stream,
      consumer: { durableName: 'owner', ackWaitMs: 1_000 },
    });
    const received: string[] = [];
    survivor.subscribe((message) => {
      received.push(message.id ?? '');
    });
    await eventually(() => expect(received).toEqual(['a', 'b']), 15_000);
    await survivor.close();
    const jsm = await jetstreamManager(second);
    await jsm.streams.delete(stream);
    await second.close();
  }, 40_000);
});
