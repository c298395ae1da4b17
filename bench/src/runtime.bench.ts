import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type BusMessage,
  type Message,
  PantheonSystem,
  type RuntimeLimits,
} from '@promethean-os/pantheon-core';
import { instantModel, replyScript } from './fixtures';
import { median, percentile, round } from './measure';

function pantheon(limits: Partial<RuntimeLimits> = {}) {
  const scheduler = new NodeScheduler();
  const system = new PantheonSystem({
    contextAdapter: new InMemoryContextAdapter({ maxHistoryPerConversation: 20 }),
    toolAdapter: new InMemoryToolAdapter(),
    llmAdapter: instantModel,
    messageBus: new InMemoryMessageBus(),
    scheduler,
    actorStateAdapter: new InMemoryActorStateAdapter(),
    limits,
  });
  return { system, scheduler };
}

interface RawMailbox {
  queue: BusMessage[];
  head: number;
  running: boolean;
}

/**
 * The raw baseline: per actor an array mailbox drained by an async loop that calls the same
 * model and delivers the reply — no validation, state, context, history or supervision.
 */
function rawMailboxes(onReply: (message: BusMessage) => void) {
  const mailboxes = new Map<string, RawMailbox>();
  async function drain(id: string, box: RawMailbox) {
    box.running = true;
    while (box.head < box.queue.length) {
      const message = box.queue[box.head++]!;
      const context: Message[] = [{ role: 'user', content: message.content }];
      const answer = await instantModel.complete(context);
      onReply({
        id: crypto.randomUUID(),
        from: id,
        to: 'user',
        content: answer.content,
        correlationId: message.correlationId,
      });
    }
    box.queue = [];
    box.head = 0;
    box.running = false;
  }
  return {
    create(id: string) {
      mailboxes.set(id, { queue: [], head: 0, running: false });
    },
    async send(id: string, content: string, correlationId?: string) {
      const box = mailboxes.get(id)!;
      box.queue.push({ id: crypto.randomUUID(), from: 'user', to: id, content, correlationId });
      if (!box.running) void drain(id, box);
    },
  };
}

function until(done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (done() ? resolve() : setImmediate(check));
    check();
  });
}

/** How many messages a producer keeps in flight, as one under backpressure would. */
const WINDOW = 1_000;

/** Sends `count` messages keeping at most `window` unanswered; resolves with messages per second. */
async function pushThrough(
  count: number,
  window: number,
  send: () => Promise<unknown>,
  answered: () => number,
): Promise<number> {
  const start = performance.now();
  for (let index = 0; index < count; index++) {
    if (index - answered() >= window) await until(() => index - answered() < window / 2);
    await send();
  }
  await until(() => answered() === count);
  return count / ((performance.now() - start) / 1000);
}

/**
 * One actor on a fresh system: messages per second, end to end (send → tick → reply). Each
 * message starts a conversation of its own (the default of `sendMessage`), or with
 * `conversationId` every message continues that one.
 */
async function pantheonThroughput(
  count: number,
  window: number,
  limits: Partial<RuntimeLimits>,
  conversationId: string | undefined,
) {
  const { system } = pantheon(limits);
  let replies = 0;
  system.on('reply', () => {
    replies++;
  });
  const actor = await system.createActor({ name: 'one', script: replyScript, goals: ['reply'] });
  await system.startActor(actor.id);
  const rate = await pushThrough(
    count,
    window,
    conversationId === undefined
      ? () => system.sendMessage(actor.id, 'hi')
      : () => system.sendMessage(actor.id, 'hi', { conversationId }),
    () => replies,
  );
  await system.shutdown();
  return rate;
}

async function rawThroughput(count: number, window: number) {
  let replies = 0;
  const raw = rawMailboxes(() => {
    replies++;
  });
  raw.create('one');
  return pushThrough(
    count,
    window,
    () => raw.send('one', 'hi'),
    () => replies,
  );
}

/**
 * Messages per second through one actor, end to end (send → tick → reply): the median of
 * `rounds` runs of `count` messages, each on a fresh system, alternating with the raw baseline.
 */
async function throughput(
  count: number,
  {
    rounds = 5,
    window = WINDOW,
    limits = {} as Partial<RuntimeLimits>,
    conversationId = undefined as string | undefined,
  } = {},
) {
  const pantheonRates: number[] = [];
  const rawRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    pantheonRates.push(await pantheonThroughput(count, window, limits, conversationId));
    rawRates.push(await rawThroughput(count, window));
  }
  const pantheonRate = median(pantheonRates);
  const rawRate = median(rawRates);
  return {
    messages: count,
    rounds,
    pantheonMessagesPerSecond: Math.round(pantheonRate),
    rawBaselineMessagesPerSecond: Math.round(rawRate),
    ratio: round(pantheonRate / rawRate, 2),
  };
}

/** Creates and starts `count` actors, sends each one message, and times until all answered. */
async function manyActors(count: number) {
  const { system } = pantheon();
  let replies = 0;
  system.on('reply', () => {
    replies++;
  });
  const createStart = performance.now();
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const actor = await system.createActor({
      id: `actor-${index}`,
      name: `actor-${index}`,
      script: replyScript,
      goals: ['reply'],
    });
    await system.startActor(actor.id);
    ids.push(actor.id);
  }
  const createMs = performance.now() - createStart;
  const start = performance.now();
  for (const id of ids) await system.sendMessage(id, 'hi');
  await until(() => replies === count);
  const answerMs = performance.now() - start;
  await system.shutdown();

  let rawReplies = 0;
  const raw = rawMailboxes(() => {
    rawReplies++;
  });
  for (const id of ids) raw.create(id);
  const rawStart = performance.now();
  for (const id of ids) await raw.send(id, 'hi');
  await until(() => rawReplies === count);
  return {
    actors: count,
    createAndStartMs: Math.round(createMs),
    allAnsweredMs: Math.round(answerMs),
    rawBaselineAllAnsweredMs: Math.round(performance.now() - rawStart),
  };
}

function heapUsed(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/** Heap per created and started actor with an empty mailbox. */
async function idleActorHeap(count: number) {
  const { system } = pantheon();
  const before = heapUsed();
  for (let index = 0; index < count; index++) {
    const actor = await system.createActor({
      id: `idle-${index}`,
      name: `idle-${index}`,
      script: replyScript,
      goals: ['wait'],
    });
    await system.startActor(actor.id);
  }
  const after = heapUsed();
  const bytesPerActor = (after - before) / count;
  await system.shutdown();
  return {
    actors: count,
    bytesPerIdleActor: Math.round(bytesPerActor),
    gcExposed: typeof globalThis.gc === 'function',
  };
}

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Us: round(percentile(sorted, 0.5), 1), p99Us: round(percentile(sorted, 0.99), 1) };
}

/** Latency from `sendMessage` to the reply, with `actors` actors each receiving a message per wave. */
async function latency(actors: number, waves: number) {
  const { system } = pantheon();
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  system.on('reply', ({ message }) => {
    const started = sentAt.get(message.correlationId!);
    if (started !== undefined) samples.push((performance.now() - started) * 1000);
  });
  const ids: string[] = [];
  for (let index = 0; index < actors; index++) {
    const actor = await system.createActor({
      name: `l-${index}`,
      script: replyScript,
      goals: ['reply'],
    });
    await system.startActor(actor.id);
    ids.push(actor.id);
  }
  for (let wave = 0; wave < waves; wave++) {
    const expected = samples.length + actors;
    for (const id of ids) {
      const correlationId = `${wave}:${id}`;
      sentAt.set(correlationId, performance.now());
      await system.sendMessage(id, 'hi', { correlationId });
    }
    await until(() => samples.length === expected);
  }
  await system.shutdown();

  const rawSamples: number[] = [];
  const raw = rawMailboxes((message) =>
    rawSamples.push((performance.now() - sentAt.get(message.correlationId!)!) * 1000),
  );
  for (const id of ids) raw.create(id);
  for (let wave = 0; wave < waves; wave++) {
    const expected = rawSamples.length + actors;
    for (const id of ids) {
      const correlationId = `${wave}:${id}`;
      sentAt.set(correlationId, performance.now());
      await raw.send(id, 'hi', correlationId);
    }
    await until(() => rawSamples.length === expected);
  }
  return {
    actors,
    samples: samples.length,
    pantheon: percentiles(samples),
    rawBaseline: percentiles(rawSamples),
  };
}

/** The runtime figures: throughput, many actors, idle heap and latency, each next to a raw baseline. */
export async function benchRuntime() {
  await throughput(200_000, { rounds: 2 }); // warm-up: JIT and a heap grown to its working size
  return {
    throughput: await throughput(200_000),
    throughputInOneConversation: await throughput(200_000, { conversationId: 'one-customer' }),
    manyActors: await manyActors(100_000),
    idleActorHeap: await idleActorHeap(100_000),
    latency: await latency(1_000, 20),
  };
}
