import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { InMemoryToolAdapter, NodeScheduler } from '@promethean-os/pantheon-adapters';
import { PantheonCluster } from '@promethean-os/pantheon-cluster';
import type { ActorScript } from '@promethean-os/pantheon-core';
import {
  openPostgresPersistence,
  type Persistence,
  ScriptRegistry,
} from '@promethean-os/pantheon-persistence';
import pg from 'pg';
import { instantModel } from './fixtures';
import { median, percentile, round } from './measure';

const POSTGRES_URL =
  process.env.PANTHEON_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.PANTHEON_BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const MESSAGES = Number(process.env.PANTHEON_BENCH_CLUSTER_MESSAGES ?? 1_000);
const ACTORS = 20;
const IN_FLIGHT = 50;

const replyScript: ActorScript = {
  name: 'bench-cluster-replier',
  talents: [
    {
      name: 'reply',
      behaviors: [
        {
          name: 'reply',
          mode: 'active',
          plan: () => ({ actions: [{ type: 'message', content: 'ok' }] }),
        },
      ],
    },
  ],
  contextSources: [],
};

interface Node {
  cluster: PantheonCluster;
  connection: NatsConnection;
  db: Persistence;
}

async function startNode(name: string, schema: string, member = true): Promise<Node> {
  const connection = await connect({ servers: NATS_URL, maxReconnectAttempts: -1 });
  const db = await openPostgresPersistence({
    connectionString: POSTGRES_URL,
    schema,
    scripts: new ScriptRegistry().register(replyScript),
    poolSize: 6,
    synchronousCommit: false,
  });
  const cluster = await PantheonCluster.start({
    name,
    connection,
    persistence: db,
    member,
    llmAdapter: instantModel,
    toolAdapter: new InMemoryToolAdapter(),
    scheduler: new NodeScheduler(),
    log: () => {},
  });
  return { cluster, connection, db };
}

/** Sends with at most `IN_FLIGHT` sends pending, resolves when every reply came back. */
async function pump(sender: PantheonCluster, actors: string[], count: number): Promise<number> {
  let answered = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const stop = sender.on('reply', () => {
    if (++answered === count) done();
  });
  const started = performance.now();
  for (let sent = 0; sent < count; sent += IN_FLIGHT) {
    await Promise.all(
      Array.from({ length: Math.min(IN_FLIGHT, count - sent) }, (_, index) =>
        sender.sendMessage(actors[(sent + index) % actors.length]!, 'ping'),
      ),
    );
  }
  await finished;
  stop();
  return (count / (performance.now() - started)) * 1_000;
}

/** Raw JetStream: publish `count` messages (same window) and consume them with acks. */
async function rawJetStream(connection: NatsConnection, stream: string, count: number) {
  const jsm = await jetstreamManager(connection);
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  await jsm.consumers.add(stream, {
    durable_name: 'raw',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const js = jetstream(connection);
  const consumer = await js.consumers.get(stream, 'raw');
  const started = performance.now();
  const consumed = (async () => {
    const messages = await consumer.consume({ max_messages: 256 });
    let acked = 0;
    for await (const message of messages) {
      message.ack();
      if (++acked === count) break;
    }
    await messages.close();
  })();
  for (let sent = 0; sent < count; sent += IN_FLIGHT) {
    await Promise.all(
      Array.from({ length: Math.min(IN_FLIGHT, count - sent) }, (_, index) =>
        js.publish(`${stream}.p.${(sent + index) % 16}`, 'ping', { msgID: `m${sent + index}` }),
      ),
    );
  }
  await consumed;
  const rate = (count / (performance.now() - started)) * 1_000;
  await jsm.streams.delete(stream);
  return rate;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

/** One cluster of `members` nodes (in this process) plus a client; messages/s end to end. */
async function clusterThroughput(members: number): Promise<number> {
  const id = crypto.randomUUID().slice(0, 8);
  const name = `bench_cluster_${id}`;
  const schema = `bench_cluster_${id}`;
  const nodes: Node[] = [];
  try {
    for (let index = 0; index < members; index++) nodes.push(await startNode(name, schema));
    const client = await startNode(name, schema, false);
    nodes.push(client);
    const actors = Array.from({ length: ACTORS }, (_, index) => `bench-${index}`);
    for (const actor of actors) {
      await client.cluster.createActor({
        id: actor,
        name: actor,
        script: replyScript,
        goals: ['x'],
      });
      await client.cluster.startActor(actor);
    }
    // Until the shares settled: every node owns its part.
    while (nodes.slice(0, members).some((node) => node.cluster.ownedPartitions().length === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await pump(client.cluster, actors, Math.min(200, MESSAGES)); // warm-up
    return await pump(client.cluster, actors, MESSAGES);
  } finally {
    await cleanup(nodes, name, schema);
  }
}

async function cleanup(nodes: Node[], name: string, schema: string): Promise<void> {
  for (const node of nodes) await node.cluster.shutdown().catch(() => undefined);
  for (const node of nodes) await node.db.close().catch(() => undefined);
  const first = nodes[0]?.connection;
  if (first) await (await jetstreamManager(first)).streams.delete(name).catch(() => undefined);
  for (const node of nodes) await node.connection.close().catch(() => undefined);
  await dropSchema(schema);
}

/**
 * `ask` latency across nodes, and fail-over time: a node stops dead (its connections closed,
 * no handover — what a SIGKILL leaves behind) and the time until a message to one of its actors
 * is answered by the new owner.
 */
async function latencyAndFailover(): Promise<{
  askP50Ms: number;
  askP99Ms: number;
  failoverMs: number[];
}> {
  const id = crypto.randomUUID().slice(0, 8);
  const name = `bench_cluster_${id}`;
  const schema = `bench_cluster_${id}`;
  const nodes: Node[] = [];
  try {
    const client = await startNode(name, schema, false);
    nodes.push(client);
    for (let index = 0; index < 3; index++) nodes.push(await startNode(name, schema));
    const actors = Array.from({ length: ACTORS }, (_, index) => `bench-${index}`);
    for (const actor of actors) {
      await client.cluster.createActor({
        id: actor,
        name: actor,
        script: replyScript,
        goals: ['x'],
      });
      await client.cluster.startActor(actor);
    }
    const samples: number[] = [];
    for (let index = 0; index < 200; index++) {
      const started = performance.now();
      await client.cluster.ask(actors[index % ACTORS]!, 'ping', { timeoutMs: 10_000 });
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const failoverMs: number[] = [];
    for (const victim of nodes.slice(1, 3)) {
      const partition = victim.cluster.ownedPartitions()[0]!.partition;
      const { partitionOf } = await import('@promethean-os/pantheon-cluster');
      const actor = Array.from({ length: 1_000 }, (_, index) => `bench-${index}`).find(
        (candidate) => partitionOf(candidate, 16) === partition,
      )!;
      if (!actors.includes(actor)) {
        await client.cluster.createActor({
          id: actor,
          name: actor,
          script: replyScript,
          goals: ['x'],
        });
        await client.cluster.startActor(actor);
      }
      await client.cluster.ask(actor, 'warm', { timeoutMs: 10_000 });
      const killed = performance.now();
      // Dead: no renewals, no consumers, no handover.
      (victim.cluster as unknown as { closed: boolean }).closed = true;
      await victim.connection.close();
      await victim.db.close();
      await client.cluster.ask(actor, 'after the crash', { timeoutMs: 30_000 });
      failoverMs.push(performance.now() - killed);
    }
    return {
      askP50Ms: round(percentile(samples, 0.5), 2),
      askP99Ms: round(percentile(samples, 0.99), 2),
      failoverMs: failoverMs.map((value) => round(value, 0)),
    };
  } finally {
    await cleanup(
      nodes.filter((node) => !node.connection.isClosed()),
      name,
      schema,
    );
  }
}

/**
 * The cluster next to raw JetStream: messages/s end to end (send → durable store → tick with
 * a reply → commit → reply back to the sender) with 1, 2 and 3 member nodes in this process,
 * next to a raw publish → consume → ack loop over the same number of messages; `ask` p50/p99
 * across nodes; fail-over time after a node stops dead.
 */
export async function benchCluster() {
  const connection = await connect({ servers: NATS_URL });
  const raw = await rawJetStream(
    connection,
    `bench_raw_${crypto.randomUUID().slice(0, 8)}`,
    MESSAGES,
  );
  await connection.close();
  const throughput: Record<string, number> = {};
  for (const members of [1, 2, 3])
    throughput[`${members}`] = round(await clusterThroughput(members), 0);
  const { askP50Ms, askP99Ms, failoverMs } = await latencyAndFailover();
  return {
    messages: MESSAGES,
    rawJetStreamPerSecond: round(raw, 0),
    clusterPerSecond: throughput,
    ratioSingleToRaw: round((throughput['1'] ?? 0) / raw, 3),
    askP50Ms,
    askP99Ms,
    failoverMedianMs: round(median(failoverMs), 0),
    failoverMaxMs: Math.max(...failoverMs),
  };
}

if (process.argv[1]?.endsWith('cluster.bench.ts')) {
  console.log(JSON.stringify(await benchCluster(), null, 2));
}
