import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { InMemoryToolAdapter } from '@promethean-os/pantheon-adapters';
import {
  type ActorScript,
  type BusMessage,
  type LlmPort,
  llmBehavior,
  type PendingApproval,
  type ToolSpec,
} from '@promethean-os/pantheon-core';
import { type Persistence, ScriptRegistry } from '@promethean-os/pantheon-persistence';
import { afterAll, afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  ClusterFixture,
  DatabaseProxy,
  ECHO_SCRIPT,
  echoScripts,
  NATS_URL,
} from './cluster.test-support';
import { partitionOf } from './partitioning';

const eventually = (assertion: () => unknown, timeout = 15_000) =>
  vi.waitFor(assertion, { timeout, interval: 50 });

const create = (cluster: { createActor: (o: never) => Promise<unknown> }, id: string) =>
  cluster.createActor({ id, name: id, script: ECHO_SCRIPT, goals: ['Echo'] } as never);

/** Every payload in the stream, read with an ordered consumer (other publications may be there). */
async function streamPayloads(
  connection: Parameters<typeof jetstreamManager>[0],
  stream: string,
): Promise<string[]> {
  const jsm = await jetstreamManager(connection);
  const total = (await jsm.streams.info(stream)).state.messages;
  const payloads: string[] = [];
  if (total === 0) return payloads;
  const consumer = await jetstream(connection).consumers.get(stream);
  const messages = await consumer.fetch({ max_messages: total, expires: 5_000 });
  for await (const message of messages) {
    payloads.push(message.string());
    if (payloads.length >= total) break;
  }
  return payloads;
}

describe('PantheonCluster on the real NATS and PostgreSQL', () => {
  const fixture = new ClusterFixture();
  afterAll(() => fixture.cleanup(), 30_000);
  // A failed test does not leave its processes running into the next one.
  afterEach(() => fixture.shutdownNodes(), 30_000);

  it('runs an actor created in one process, started in another, asked from both', async () => {
    const a = await fixture.node();
    const b = await fixture.node();
    await create(a.cluster, 'support');
    await b.cluster.startActor('support');
    const fromB = await b.cluster.ask('support', 'hello from b', { timeoutMs: 10_000 });
    expect(fromB).toMatchObject({ from: 'support', to: 'user', content: 'echo:hello from b' });
    const fromA = await a.cluster.ask('support', 'hello from a', { timeoutMs: 10_000 });
    expect(fromA.content).toBe('echo:hello from a');
    // Both processes own partitions once the second joined; together all of them, once each.
    await eventually(() => {
      const owned = [...a.cluster.ownedPartitions(), ...b.cluster.ownedPartitions()];
      expect(owned.map((lease) => lease.partition).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 16 }, (_, index) => index),
      );
      expect(a.cluster.ownedPartitions()).toHaveLength(8);
    });
    await a.cluster.shutdown();
    await b.cluster.shutdown();
  }, 40_000);

  it('refuses bad input from any process: unknown actor, oversized, bad metadata, malformed on the subject', async () => {
    const a = await fixture.node({ limits: { maxMessageBytes: 1_000 } });
    const b = await fixture.node({ limits: { maxMessageBytes: 1_000 } });
    await create(a.cluster, 'worker');
    await a.cluster.startActor('worker');
    for (const node of [a, b]) {
      await expect(node.cluster.sendMessage('nobody', 'hi')).rejects.toMatchObject({
        code: 'ACTOR_NOT_FOUND',
      });
      await expect(node.cluster.startActor('nobody')).rejects.toMatchObject({
        code: 'ACTOR_NOT_FOUND',
      });
    }
    await expect(
      b.cluster.sendMessage('worker', 'hi', { metadata: ['not', 'an', 'object'] as never }),
    ).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    // The same checks of the send's options as in one process.
    for (const options of [{ from: '' }, { conversationId: '' }, { messageId: 'a:0' }]) {
      await expect(b.cluster.sendMessage('worker', 'hi', options)).rejects.toMatchObject({
        code: 'INVALID_MESSAGE',
      });
    }
    const oversized = 'x'.repeat(1_001);
    await expect(b.cluster.sendMessage('worker', oversized)).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    });
    // Nothing was published: no payload in the stream carries it.
    const payloads = await streamPayloads(a.connection, fixture.name);
    expect(payloads.some((payload) => payload.includes(oversized))).toBe(false);

    // Something else publishes garbage on the worker's partition subject.
    const subject = `${fixture.name}.p.${partitionOf('worker', 16)}`;
    await jetstream(b.connection).publish(subject, 'garbage, not JSON');
    await eventually(() =>
      expect(b.cluster.getDeadLetters()).toContainEqual(
        expect.objectContaining({
          reason: 'MALFORMED',
          detail: expect.objectContaining({
            subject,
            data: 'garbage, not JSON',
            reason: expect.stringContaining('not JSON'),
          }),
        }),
      ),
    );
    // A well-formed message for an actor that does not exist, published by something else.
    const ghost = { id: 'ghost-1', from: 'elsewhere', to: 'ghost', content: 'boo' };
    await jetstream(b.connection).publish(
      `${fixture.name}.p.${partitionOf('ghost', 16)}`,
      JSON.stringify(ghost),
    );
    for (const node of [a, b]) {
      await eventually(() =>
        expect(node.cluster.getDeadLetters()).toContainEqual(
          expect.objectContaining({
            reason: 'ACTOR_NOT_FOUND',
            message: expect.objectContaining(ghost),
          }),
        ),
      );
    }
    // The consumer goes on.
    const answer = await b.cluster.ask('worker', 'still there?', { timeoutMs: 10_000 });
    expect(answer.content).toBe('echo:still there?');
    await a.cluster.shutdown();
    await b.cluster.shutdown();
  }, 40_000);

  it('refuses options it cannot run with: CONFIG_ERROR naming the field, nothing created', async () => {
    const own = new ClusterFixture();
    onTestFinished(() => own.cleanup());
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ name: 'my.cluster' }, 'name', /letters, digits/],
      [{ partitions: 0 }, 'partitions', /whole number, at least 1/],
      [{ timing: { leaseMs: -1 } }, 'timing.leaseMs', /positive number of milliseconds/],
      [
        { timing: { leaseMs: 200, heartbeatMs: 250 } },
        'timing.heartbeatMs',
        /must be shorter than timing\.leaseMs \(200 ms\)/,
      ],
    ];
    for (const [options, field, message] of cases) {
      const started = own.node(options as never);
      await expect(started).rejects.toMatchObject({
        name: 'ConfigError',
        code: 'CONFIG_ERROR',
        details: { field },
      });
      await expect(started).rejects.toThrow(message);
    }
    // Refused before joining: the cluster's stream was never made.
    const connection = await connect({ servers: NATS_URL });
    onTestFinished(() => connection.close());
    const jsm = await jetstreamManager(connection);
    await expect(jsm.streams.info(own.name)).rejects.toThrow(/stream not found/i);
  });

  it('takes a messageId once, whichever process sends it again', async () => {
    const a = await fixture.node();
    const b = await fixture.node();
    await create(a.cluster, 'clerk');
    await a.cluster.startActor('clerk');
    const replies: BusMessage[] = [];
    a.cluster.on('reply', ({ message }) => replies.push(message));
    // A caller retrying after BUS_UNAVAILABLE sends again with the same id, maybe elsewhere.
    expect(await a.cluster.sendMessage('clerk', 'file it', { messageId: 'form-1' })).toBe('form-1');
    expect(await b.cluster.sendMessage('clerk', 'file it', { messageId: 'form-1' })).toBe('form-1');
    expect(await b.cluster.sendMessage('clerk', 'then this', { messageId: 'form-2' })).toBe(
      'form-2',
    );
    await eventually(() =>
      expect(replies.map((reply) => reply.content)).toEqual(['echo:file it', 'echo:then this']),
    );
    // Answered once each, under ids derived from the caller's.
    expect(replies.map((reply) => reply.id)).toEqual(['form-1:0', 'form-2:0']);
    await a.cluster.shutdown();
    await b.cluster.shutdown();
  }, 40_000);

  it('trims what it stored and old replies from its stream, and keeps events out of it', async () => {
    // A cluster of its own, whose stream was made by an earlier version: it took every subject.
    const own = new ClusterFixture();
    const raw = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(raw);
    await jsm.streams.add({ name: own.name, subjects: [`${own.name}.>`] });
    try {
      await trimmed(own, jsm);
    } finally {
      await own.cleanup();
      await raw.close();
    }
  }, 40_000);

  async function trimmed(own: ClusterFixture, jsm: JetStreamManager) {
    const a = await own.node({ timing: { trimIntervalMs: 300 } });
    expect((await jsm.streams.info(own.name)).config.subjects).toEqual([
      `${own.name}.p.*`,
      `${own.name}.r.>`,
    ]);
    await create(a.cluster, 'clerk');
    await a.cluster.startActor('clerk');
    for (let index = 0; index < 5; index++) {
      expect((await a.cluster.ask('clerk', `form ${index}`, { timeoutMs: 10_000 })).content).toBe(
        `echo:form ${index}`,
      );
    }
    // Eleven messages went through the stream (the start, five asks, five replies); the events
    // of the actor's start did not. What was stored in PostgreSQL, and the replies, leave it.
    expect((await jsm.streams.info(own.name)).state.last_seq).toBe(11);
    await eventually(async () => expect((await jsm.streams.info(own.name)).state.messages).toBe(0));
    // Nothing was lost on the way: the actor counted every message, and goes on answering.
    expect(await a.db.context.read('count', { actorId: 'clerk' })).toBe(5);
    expect((await a.cluster.ask('clerk', 'one more', { timeoutMs: 10_000 })).content).toBe(
      'echo:one more',
    );
    await a.cluster.shutdown();
  }

  it('rolling deploy: an actor whose script a process lacks waits there without blocking its partition; a process with the script handles its messages', async () => {
    const own = new ClusterFixture();
    onTestFinished(() => own.cleanup());
    const greet: ActorScript = {
      name: 'greet',
      version: '2',
      talents: [
        {
          name: 'greet',
          behaviors: [
            {
              name: 'greet',
              mode: 'active',
              plan: async ({ context }) => ({
                actions: [{ type: 'message', content: `hello:${context.at(-1)?.content}` }],
              }),
            },
          ],
        },
      ],
      contextSources: [],
    };
    const newVersion = () => (db: Parameters<typeof echoScripts>[0]) =>
      echoScripts(db).register(greet);
    // Two actors of one partition: one of the old version's script, one of the new version's.
    const partition = partitionOf('greeter', 16);
    let neighbour = 0;
    while (partitionOf(`echo-${neighbour}`, 16) !== partition) neighbour++;
    const echoId = `echo-${neighbour}`;
    const client = await own.node({ member: false, scripts: newVersion() });
    await client.cluster.createActor({
      id: 'greeter',
      name: 'greeter',
      script: greet,
      goals: ['Greet'],
    });
    await client.cluster.startActor('greeter');
    await create(client.cluster, echoId);
    await client.cluster.startActor(echoId);
    const failed: { actorId: string; code: string }[] = [];
    client.cluster.on('actor.failed', ({ actorId, error }) =>
      failed.push({ actorId, code: error.code }),
    );
    const replies: string[] = [];
    client.cluster.on('reply', ({ message }) => {
      if (message.from === 'greeter') replies.push(message.content);
    });

    // The old version takes every partition: restoring them does not fail on the new script.
    const warnings: string[] = [];
    const old = await own.node({
      log: (message, meta) => {
        if (meta?.level === 'warn') warnings.push(message);
      },
    });
    await eventually(() => expect(old.cluster.ownedPartitions()).toHaveLength(16));
    const answer = await client.cluster.ask(echoId, 'still here?', { timeoutMs: 10_000 });
    expect(answer.content).toBe('echo:still here?');
    await client.cluster.sendMessage('greeter', 'hi');
    await client.cluster.sendMessage('greeter', 'again');
    // Stored for it, nothing lost, nothing retried over and over: one warning, one event.
    await eventually(async () => {
      const statuses = await client.cluster.actorStatuses();
      expect(statuses.find((status) => status.actor.id === 'greeter')).toMatchObject({
        owner: old.cluster.nodeId,
        pending: 2,
      });
    });
    expect(await client.cluster.ask(echoId, 'and now?', { timeoutMs: 10_000 })).toMatchObject({
      content: 'echo:and now?',
    });
    const unrunnable = warnings.filter((warning) => warning.includes('"greeter"'));
    expect(unrunnable).toHaveLength(1);
    expect(unrunnable[0]).toMatch(/Script "greet" version "2" is not registered/);
    await eventually(() =>
      expect(failed).toEqual([{ actorId: 'greeter', code: 'SCRIPT_NOT_FOUND' }]),
    );
    expect(replies).toEqual([]);

    // The new version joins and the old one leaves: the waiting messages are handled, in order.
    const next = await own.node({ scripts: newVersion() });
    await old.cluster.shutdown();
    await eventually(() => expect(replies).toEqual(['hello:hi', 'hello:again']));
    expect(next.cluster.ownedPartitions()).toHaveLength(16);
  }, 60_000);

  it('decides approvals from any process: the owner decides, the actor resumes there', async () => {
    // A cluster of its own: every process knows the desk's script only.
    const own = new ClusterFixture();
    onTestFinished(() => own.cleanup());
    const runs: unknown[] = [];
    const refund: ToolSpec = {
      name: 'refund',
      description: 'Refunds an amount',
      parameters: { type: 'object', properties: { amount: { type: 'number' } } },
      needsApproval: true,
      execute: (args) => {
        runs.push(args);
        return { refunded: args.amount };
      },
    };
    // Calls the tool for "refund <n>", then answers with its result.
    const model: LlmPort = {
      async complete(messages) {
        const last = messages.at(-1)!;
        if (last.role === 'tool') return { role: 'assistant', content: `Result: ${last.content}` };
        const amount = Number(/refund (\d+)/.exec(last.content)?.[1]);
        const call = { id: `call-${amount}`, name: 'refund', args: { amount } };
        return { role: 'assistant', content: '', toolCalls: [call] };
      },
    };
    const desk: ActorScript = {
      name: 'desk',
      talents: [{ name: 'desk', behaviors: [llmBehavior({ name: 'desk', tools: ['refund'] })] }],
      contextSources: [],
    };
    const node = () => {
      const tools = new InMemoryToolAdapter();
      tools.register(refund);
      return own.node({
        llmAdapter: model,
        toolAdapter: tools,
        scripts: () => new ScriptRegistry().register(desk),
      });
    };
    const a = await node();
    const b = await node();
    await eventually(() => expect(a.cluster.ownedPartitions()).toHaveLength(8));
    await a.cluster.createActor({ id: 'desk', name: 'desk', script: desk, goals: ['Help'] });
    await a.cluster.startActor('desk');
    const owner = a.cluster
      .ownedPartitions()
      .some((lease) => lease.partition === partitionOf('desk', 16))
      ? a
      : b;
    const other = owner === a ? b : a;
    const requested = () =>
      new Promise<PendingApproval>((resolve) =>
        other.cluster.on('approval.requested', ({ approval }) => resolve(approval)),
      );

    const first = requested();
    const answer = other.cluster.ask('desk', 'refund 250', { timeoutMs: 20_000 });
    const approval = await first;
    expect(await other.cluster.getPendingApprovals()).toEqual([
      expect.objectContaining({ id: approval.id, actorId: 'desk', args: { amount: 250 } }),
    ]);
    // Decided by the process that does not run the desk.
    await other.cluster.approve(approval.id, { by: 'manager' });
    expect((await answer).content).toBe('Result: {"refunded":250}');
    expect(runs).toEqual([{ amount: 250 }]);
    expect(await other.cluster.getPendingApprovals()).toEqual([]);
    await expect(owner.cluster.approve(approval.id, { by: 'manager' })).rejects.toMatchObject({
      code: 'APPROVAL_ALREADY_DECIDED',
    });
    await expect(other.cluster.deny('no-such-approval', { reason: 'no' })).rejects.toMatchObject({
      code: 'APPROVAL_NOT_FOUND',
    });

    // The desk stopped, nobody runs it: nothing is decided, and the call waits for its start.
    const second = requested();
    void other.cluster.ask('desk', 'refund 300', { timeoutMs: 20_000 }).catch(() => undefined);
    const waiting = await second;
    await other.cluster.stopActor('desk');
    await expect(other.cluster.deny(waiting.id, { reason: 'too much' })).rejects.toMatchObject({
      code: 'APPROVAL_NOT_OWNED',
    });
    expect(await other.cluster.getPendingApprovals()).toEqual([
      expect.objectContaining({ id: waiting.id }),
    ]);
    expect(runs).toEqual([{ amount: 250 }]);
    await a.cluster.shutdown();
    await b.cluster.shutdown();
  }, 60_000);

  it('is MAILBOX_FULL for the sender, a dead letter for actor-to-actor traffic', async () => {
    const limits = { mailboxCapacity: 2 };
    const a = await fixture.node({ limits });
    const b = await fixture.node({ limits });
    await create(a.cluster, 'sink'); // never started: its mailbox fills up
    await create(a.cluster, 'relay');
    await a.cluster.startActor('relay');
    const first = await b.cluster.sendMessage('sink', 'one');
    await b.cluster.sendMessage('sink', 'two');
    await eventually(async () =>
      expect(
        (await a.db.mailbox.pending()).filter((message) => message.to === 'sink'),
      ).toHaveLength(2),
    );
    await expect(b.cluster.sendMessage('sink', 'three')).rejects.toMatchObject({
      code: 'MAILBOX_FULL',
    });
    // Nothing lost: the two accepted messages wait in the durable mailbox.
    expect((await a.db.mailbox.pending()).map((message) => message.id)).toContain(first);

    await a.cluster.sendMessage('relay', 'forward:sink:overflow');
    // Whichever process owns the sink, every process sees the dead letter.
    for (const node of [a, b]) {
      await eventually(() =>
        expect(node.cluster.getDeadLetters()).toContainEqual(
          expect.objectContaining({
            reason: 'MAILBOX_FULL',
            message: expect.objectContaining({ from: 'relay', to: 'sink', content: 'overflow' }),
          }),
        ),
      );
    }
    // A dead letter is never stored: whoever owns the sink next finds the two accepted messages.
    const waiting = (await a.db.mailbox.pending()).filter((message) => message.to === 'sink');
    expect(waiting.map((message) => message.content)).toEqual(['one', 'two']);
    await a.cluster.shutdown();
    await b.cluster.shutdown();
  }, 40_000);

  it('hands every runtime event of a partition to every process: budget.exceeded too', async () => {
    // No tool call allowed: every conversation is over its budget on arrival.
    const budget = { toolCalls: 0 };
    const a = await fixture.node({ budget });
    const b = await fixture.node({ budget });
    const seen = { a: [] as unknown[], b: [] as unknown[] };
    a.cluster.on('budget.exceeded', (event) => seen.a.push(event));
    b.cluster.on('budget.exceeded', (event) => seen.b.push(event));
    await create(a.cluster, 'spender');
    await a.cluster.startActor('spender');
    await b.cluster.sendMessage('spender', 'spend', { conversationId: 'conversation-1' });
    const exceeded = {
      conversationId: 'conversation-1',
      actorId: 'spender',
      limit: 'toolCalls',
      budget,
    };
    await eventually(() => {
      expect(seen.a).toEqual([expect.objectContaining(exceeded)]);
      expect(seen.b).toEqual([expect.objectContaining(exceeded)]);
    });
    expect(b.cluster.getDeadLetters()).toContainEqual(
      expect.objectContaining({ reason: 'BUDGET_EXCEEDED' }),
    );
    await a.cluster.shutdown();
    await b.cluster.shutdown();
  }, 40_000);

  it('ticks an actor started with intervalMs in whichever process runs it, across a handover', async () => {
    const own = new ClusterFixture();
    onTestFinished(() => own.cleanup());
    // Counts its idle ticks (a passive behavior: run on the interval) in its key/value store.
    const ticker = (db: () => Persistence): ActorScript => ({
      name: 'ticker',
      talents: [
        {
          name: 'ticker',
          behaviors: [
            {
              name: 'count',
              mode: 'passive',
              async plan({ actor }) {
                const ticks = await db().context.read('ticks', { actorId: actor.id });
                const data = ((ticks as number | undefined) ?? 0) + 1;
                return {
                  actions: [{ type: 'context', operation: 'write', target: 'ticks', data }],
                };
              },
            },
          ],
        },
      ],
      contextSources: [],
    });
    const scripts = (db: () => Persistence) => new ScriptRegistry().register(ticker(db));
    const first = await own.node({ scripts });
    const script = ticker(() => first.db);
    await first.cluster.createActor({ id: 'ticker', name: 'ticker', script, goals: ['x'] });
    await expect(first.cluster.startActor('ticker', { intervalMs: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(first.cluster.startActor('ticker', { intervalMs: 2.5 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const ticks = async () =>
      ((await first.db.context.read('ticks', { actorId: 'ticker' })) as number | undefined) ?? 0;
    expect(await ticks()).toBe(0);
    await first.cluster.startActor('ticker', { intervalMs: 50 });
    await eventually(async () => expect(await ticks()).toBeGreaterThanOrEqual(3));
    // Another process takes every partition over; the interval goes with the actor.
    const second = await own.node({ scripts });
    await first.cluster.shutdown();
    await eventually(() => expect(second.cluster.ownedPartitions()).toHaveLength(16));
    const handedOver = await ticks();
    await eventually(async () => expect(await ticks()).toBeGreaterThanOrEqual(handedOver + 3));
    const [status] = await second.cluster.actorStatuses();
    expect(status).toMatchObject({ started: true, owner: second.cluster.nodeId });
    // Stopped, it ticks no more.
    await second.cluster.stopActor('ticker');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = await ticks();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await ticks()).toBe(stopped);
  }, 60_000);

  it('dead-letters a chain between processes past maxHops; every process sees it', async () => {
    const limits = { maxHops: 3 };
    const a = await fixture.node({ limits });
    const b = await fixture.node({ limits });
    await eventually(() => {
      expect(a.cluster.ownedPartitions()).toHaveLength(8);
      expect(b.cluster.ownedPartitions()).toHaveLength(8);
    });
    // One actor owned by each process.
    const ownedBy = (node: typeof a, prefix: string) => {
      const partitions = new Set(node.cluster.ownedPartitions().map((lease) => lease.partition));
      const id = Array.from({ length: 100 }, (_, index) => `${prefix}-${index}`).find((candidate) =>
        partitions.has(partitionOf(candidate, 16)),
      );
      if (!id) throw new Error(`no ${prefix} id in the partitions of ${node.cluster.nodeId}`);
      return id;
    };
    const ping = ownedBy(a, 'ping');
    const pong = ownedBy(b, 'pong');
    for (const id of [ping, pong]) {
      await create(a.cluster, id);
      await a.cluster.startActor(id);
    }
    // ping (hop 0) → pong (1) → ping (2) → pong (3) → ping: hop 4 is past the limit.
    const answer = await b.cluster.ask(ping, `bounce:${pong}`, { timeoutMs: 10_000 });
    expect(answer.content).toBe(`echo:bounce:${pong}`);
    for (const node of [a, b]) {
      await eventually(() =>
        expect(node.cluster.getDeadLetters()).toContainEqual(
          expect.objectContaining({
            reason: 'HOP_LIMIT',
            message: expect.objectContaining({
              from: pong,
              to: ping,
              content: `bounce:${pong}`,
              metadata: expect.objectContaining({ hops: 4 }),
            }),
          }),
        ),
      );
    }
    // Each handled its two messages, and nothing more went round.
    expect(await a.db.context.read('count', { actorId: ping })).toBe(2);
    expect(await a.db.context.read('count', { actorId: pong })).toBe(2);
    await a.cluster.shutdown();
    await b.cluster.shutdown();
  }, 40_000);

  it('rebalances on join and hands partitions over on shutdown, losing nothing, in order', async () => {
    const a = await fixture.node();
    const actors = Array.from({ length: 12 }, (_, index) => `r${index}`);
    for (const id of actors) {
      await create(a.cluster, id);
      await a.cluster.startActor(id);
    }
    const replies: BusMessage[] = [];
    a.cluster.on('reply', ({ message }) => {
      if (actors.includes(message.from)) replies.push(message);
    });
    const owners = new Map<number, string>();
    let doubleOwned = false;
    const watch = (node: typeof a) => {
      node.cluster.on('partition.acquired', ({ partition, node: id }) => {
        if (owners.has(partition)) doubleOwned = true;
        owners.set(partition, id);
      });
      node.cluster.on('partition.released', ({ partition }) => owners.delete(partition));
    };
    watch(a);
    const send = async (round: number) => {
      for (const id of actors) await a.cluster.sendMessage(id, `${round}`);
    };
    await send(0);
    const b = await fixture.node();
    watch(b);
    for (let round = 1; round < 5; round++) await send(round);
    await eventually(() => expect(b.cluster.ownedPartitions()).toHaveLength(8));
    for (let round = 5; round < 8; round++) await send(round);
    await a.cluster.shutdown(); // hands its partitions to b
    expect(a.cluster.ownedPartitions()).toEqual([]);
    for (let round = 8; round < 10; round++) await b.cluster.sendMessage(actors[round]!, 'late');
    await eventually(() => expect(b.cluster.ownedPartitions()).toHaveLength(16));
    const lateReplies: BusMessage[] = [];
    b.cluster.on('reply', ({ message }) => lateReplies.push(message));
    await eventually(async () => {
      for (const id of actors) {
        expect(await b.db.context.read('count', { actorId: id })).toBe(
          id === 'r8' || id === 'r9' ? 9 : 8,
        );
      }
    }, 30_000);
    expect(doubleOwned).toBe(false);
    // Per actor, what a saw answered came in send order.
    for (const id of actors) {
      const seen = replies.filter((message) => message.from === id).map((m) => m.content);
      expect(seen).toEqual([...seen].sort());
    }
    await b.cluster.shutdown();
  }, 60_000);

  it('fences a stale owner: its commit is rejected and the new owner replays the tick', async () => {
    const proxy = await DatabaseProxy.start();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const timing = { leaseMs: 1_000, heartbeatMs: 100 };
    const stale = await fixture.node({ postgresUrl: proxy.url, gate: () => gate, timing });
    const errors: string[] = [];
    stale.cluster.on('actor.restarted', ({ error }) => errors.push(error.code));
    stale.cluster.on('actor.failed', ({ error }) => errors.push(error.code));
    await create(stale.cluster, 'ledger');
    await stale.cluster.startActor('ledger');
    const messageId = await stale.cluster.sendMessage('ledger', 'gate');
    // The stale owner is inside the tick (waiting at the gate) when its database goes away.
    await new Promise((resolve) => setTimeout(resolve, 500));
    proxy.cut();
    const successor = await fixture.node({ timing });
    const answers: BusMessage[] = [];
    successor.cluster.on('reply', ({ message }) => {
      if (message.from === 'ledger') answers.push(message);
    });
    const partition = partitionOf('ledger', 16);
    await eventually(() =>
      expect(successor.cluster.ownedPartitions().map((lease) => lease.partition)).toContain(
        partition,
      ),
    );
    // The stale process gets its database back (its heartbeat finds the lease gone), then its
    // tick finishes and tries to commit.
    proxy.restore();
    await eventually(() => stale.db.actors.get('ledger'));
    release();
    await eventually(async () =>
      expect(await successor.db.context.read('count', { actorId: 'ledger' })).toBe(1),
    );
    await eventually(() => expect(errors).toContain('PARTITION_LOST'));
    expect(await successor.db.context.read('count', { actorId: 'ledger' })).toBe(1);
    expect(
      (await successor.db.mailbox.pending()).filter((message) => message.to === 'ledger'),
    ).toEqual([]);
    // One answer, with the id the tick of that message always sends.
    await eventually(() =>
      expect(answers.map((message) => message.id)).toEqual([`${messageId}:0`]),
    );
    await stale.cluster.shutdown();
    await successor.cluster.shutdown();
    await proxy.close();
  }, 60_000);
});

// What a process reads about the cluster, and how it leaves: each test on a schema and cluster
// of its own (a partition count other than 16, actor ids of its own).
describe('PantheonCluster: listing, read-outs and leaving', () => {
  let fixture: ClusterFixture;
  beforeEach(() => {
    fixture = new ClusterFixture();
  });
  afterEach(() => fixture.cleanup(), 30_000);

  it("lists the actors with partition, owner and waiting messages; reads a process's own stats and events; shutdown reports what it left", async () => {
    const a = await fixture.node({ nodeId: 'node-a', partitions: 4 });
    const b = await fixture.node({ nodeId: 'node-b', partitions: 4 });
    // The first process hands its highest partitions to the second.
    await eventually(() => {
      expect(a.cluster.ownedPartitions().map((lease) => lease.partition)).toEqual([0, 1]);
      expect(b.cluster.ownedPartitions().map((lease) => lease.partition)).toEqual([2, 3]);
    });
    const started = { a: [] as string[], b: [] as string[] };
    const startedHere = { a: [] as string[], b: [] as string[] };
    for (const [name, node] of [
      ['a', a],
      ['b', b],
    ] as const) {
      node.cluster.on('actor.started', ({ actorId }) => started[name].push(actorId));
      node.cluster.on('actor.started', ({ actorId }) => startedHere[name].push(actorId), {
        local: true,
      });
    }

    // alpha is in partition 3 (node-b's), delta in partition 1 (node-a's).
    expect([partitionOf('alpha', 4), partitionOf('delta', 4)]).toEqual([3, 1]);
    await create(a.cluster, 'alpha');
    await create(a.cluster, 'delta');
    await a.cluster.startActor('alpha');
    // delta is never started: what is sent to it waits in its durable mailbox.
    await b.cluster.sendMessage('delta', 'one');
    await b.cluster.sendMessage('delta', 'two');
    expect((await a.cluster.ask('alpha', 'hi', { timeoutMs: 10_000 })).content).toBe('echo:hi');

    const byId = (statuses: { actor: { id: string } }[]) =>
      [...statuses].sort((x, y) => x.actor.id.localeCompare(y.actor.id));
    const expected = [
      {
        actor: expect.objectContaining({ id: 'alpha', name: 'alpha' }),
        partition: 3,
        owner: 'node-b',
        started: true,
        pending: 0,
      },
      {
        actor: expect.objectContaining({ id: 'delta', name: 'delta' }),
        partition: 1,
        owner: 'node-a',
        started: false,
        pending: 2,
      },
    ];
    // Any process reads the same from the database.
    await eventually(async () => {
      expect(byId(await a.cluster.actorStatuses())).toEqual(expected);
      expect(byId(await b.cluster.actorStatuses())).toEqual(expected);
    });
    expect((await b.cluster.listActors()).map((actor) => actor.id).sort()).toEqual([
      'alpha',
      'delta',
    ]);

    // Every process hears that alpha started; only its owner hears it as its own.
    await eventually(() => {
      expect(started.a).toEqual(['alpha']);
      expect(started.b).toEqual(['alpha']);
    });
    expect(startedHere).toEqual({ a: [], b: ['alpha'] });

    // Each process's read-out holds the mailboxes of its own partitions only.
    expect(a.cluster.getRuntimeStats()).toEqual({
      mailboxes: [
        { actorId: 'delta', started: false, depth: 2, oldestTimestamp: expect.any(Number) },
      ],
      pendingAsks: 0,
      pendingApprovals: 0,
      deadLetters: 0,
    });
    expect(b.cluster.getRuntimeStats().mailboxes).toEqual([
      { actorId: 'alpha', started: true, depth: 0 },
    ]);

    // Leaving, node-a hands delta's partition over with its two messages kept in the database.
    const report = await a.cluster.shutdown({ timeoutMs: 200 });
    expect(report.kept.map((message) => message.content).sort()).toEqual(['one', 'two']);
    expect(report.pending).toEqual([]);
    expect(report.interrupted).toEqual([]);
    expect(await a.cluster.shutdown()).toEqual({ interrupted: [], pending: [], kept: [] });
    await eventually(async () =>
      expect((await b.cluster.actorStatuses()).map((status) => status.owner)).toEqual([
        'node-b',
        'node-b',
      ]),
    );
    await b.cluster.startActor('delta');
    await eventually(async () =>
      expect((await b.cluster.actorStatuses()).map((status) => status.pending)).toEqual([0, 0]),
    );
    expect(await b.db.context.read('count', { actorId: 'delta' })).toBe(2);
    await b.cluster.shutdown();
  }, 40_000);

  it('renews the leases of the partitions it hands over at shutdown: a tick longer than a lease commits', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const timing = { leaseMs: 1_000, heartbeatMs: 100 };
    const a = await fixture.node({ timing, gate: () => gate });
    const b = await fixture.node({ timing, gate: () => gate });
    await eventually(() => expect(b.cluster.ownedPartitions()).toHaveLength(8));
    const partition = partitionOf('ledger', 16);
    const [owner, other] = a.cluster
      .ownedPartitions()
      .some((lease) => lease.partition === partition)
      ? [a, b]
      : [b, a];
    const restarts: string[] = [];
    owner.cluster.on('actor.restarted', ({ error }) => restarts.push(error.code));
    const answers: BusMessage[] = [];
    other.cluster.on('reply', ({ message }) => {
      if (message.from === 'ledger') answers.push(message);
    });
    await create(owner.cluster, 'ledger');
    await owner.cluster.startActor('ledger');
    const messageId = await other.cluster.sendMessage('ledger', 'gate');
    // The owner is inside the tick (at the gate) when it starts leaving, and stays there for
    // two and a half leases.
    await eventually(async () =>
      expect(await owner.cluster.actorStatuses()).toEqual([
        expect.objectContaining({ actor: expect.objectContaining({ id: 'ledger' }), pending: 1 }),
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const leaving = owner.cluster.shutdown({ timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 2.5 * timing.leaseMs));
    expect(other.cluster.ownedPartitions().map((lease) => lease.partition)).not.toContain(
      partition,
    );
    release();
    // Its commit went through: nothing left, nothing replayed, one answer.
    expect(await leaving).toEqual({ interrupted: [], pending: [], kept: [] });
    expect(restarts).toEqual([]);
    await eventually(() =>
      expect(other.cluster.ownedPartitions().map((lease) => lease.partition)).toContain(partition),
    );
    await eventually(() =>
      expect(answers.map((message) => message.id)).toEqual([`${messageId}:0`]),
    );
    expect(await other.db.context.read('count', { actorId: 'ledger' })).toBe(1);
    await other.cluster.shutdown();
  }, 40_000);
});
