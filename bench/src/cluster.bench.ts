import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { InMemoryToolAdapter, NodeScheduler } from '@promethean-os/pantheon-adapters';
import { PantheonCluster, partitionOf } from '@promethean-os/pantheon-cluster';
import {
  openPostgresPersistence,
  type Persistence,
  ScriptRegistry,
} from '@promethean-os/pantheon-persistence';
import pg from 'pg';
import { type NodeMessage, type NodeUsage, usageOf } from './cluster-node';
import { instantModel, okScript } from './fixtures';
import { median, percentile, round } from './measure';
import { watchPostgres } from './postgres-usage';
import { rawDurableLoop } from './raw-durable-loop';

const POSTGRES_URL =
  process.env.PANTHEON_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.PANTHEON_BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
/** Messages per measured round (the raw loop does as many). */
const MESSAGES = Number(process.env.PANTHEON_BENCH_CLUSTER_MESSAGES ?? 2_000);
/** Measured rounds per cluster size, each next to a raw round. */
const ROUNDS = 3;
const WARMUP = Math.min(500, MESSAGES);
const ACTORS = 20;
const IN_FLIGHT = 50;
/** The cluster's default partition count. */
const PARTITIONS = 16;
const ASKS = 300;
const FAILOVER_SAMPLES = Number(process.env.PANTHEON_BENCH_FAILOVER_SAMPLES ?? 7);
/** A directory: the single member's process then runs with `--cpu-prof` into it. */
const PROFILE_DIR = process.env.PANTHEON_BENCH_CLUSTER_PROFILE;

const CHILD = fileURLToPath(new URL('./cluster-node.ts', import.meta.url));
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Every member process started, killed when this process exits so none outlives a failed run. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Clean-ups of what is open now (clusters, streams), run when the bench is interrupted. */
const cleanups = new Set<() => Promise<unknown>>();

function interrupted(signal: NodeJS.Signals): void {
  for (const child of children) child.kill('SIGKILL');
  Promise.allSettled([...cleanups].map((cleanup) => cleanup())).finally(() =>
    process.exit(signal === 'SIGINT' ? 130 : 143),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One member of the cluster: a child process running `cluster-node.ts`. */
class Member {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private stderr = '';

  constructor(
    readonly id: string,
    cluster: { name: string; schema: string },
    execArgv: string[] = [],
  ) {
    this.process = spawn(
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        ...execArgv,
        '--import',
        'tsx',
        CHILD,
        NATS_URL,
        POSTGRES_URL,
        cluster.schema,
        cluster.name,
        id,
      ],
      { cwd: BENCH_DIR, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
    );
    children.add(this.process);
    this.process.stderr?.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-4_000);
    });
    this.exited = new Promise((resolve) =>
      this.process.once('exit', () => {
        children.delete(this.process);
        resolve();
      }),
    );
    this.ready = new Promise((resolve, reject) => {
      this.process.on('message', (message: NodeMessage) => {
        if (message.type === 'ready') resolve();
      });
      this.exited.then(() => reject(new Error(`member ${id} exited: ${this.stderr}`)));
    });
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** What it used so far. */
  usage(): Promise<NodeUsage> {
    return new Promise((resolve) => {
      const listener = (message: NodeMessage) => {
        if (message.type !== 'usage' || !message.usage) return;
        this.process.off('message', listener);
        resolve(message.usage);
      };
      this.process.on('message', listener);
      this.process.send({ type: 'usage' } satisfies NodeMessage);
    });
  }

  /** Graceful (SIGTERM: hands its partitions over), SIGKILL if it takes longer than 20 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * A cluster of its own (stream, schema) for one scenario: member processes, and a client in this
 * process (`member: false`) that creates the actors, sends, asks and reads the replies.
 */
class BenchCluster {
  readonly members: Member[] = [];
  private constructor(
    readonly name: string,
    readonly schema: string,
    readonly connection: NatsConnection,
    readonly db: Persistence,
    readonly client: PantheonCluster,
    private readonly sql: pg.Client,
  ) {
    cleanups.add(this.close);
  }

  static async open(): Promise<BenchCluster> {
    const name = `bench_cluster_${crypto.randomUUID().slice(0, 8)}`;
    const connection = await connect({ servers: NATS_URL, maxReconnectAttempts: -1 });
    const sql = new pg.Client({ connectionString: POSTGRES_URL });
    let db: Persistence | undefined;
    try {
      await sql.connect();
      db = await openPostgresPersistence({
        connectionString: POSTGRES_URL,
        schema: name,
        scripts: new ScriptRegistry().register(okScript),
        poolSize: 6,
        synchronousCommit: false,
      });
      await sql.query(`SET search_path = "${name}"`);
      const client = await PantheonCluster.start({
        name,
        connection,
        persistence: db,
        member: false,
        llmAdapter: instantModel,
        toolAdapter: new InMemoryToolAdapter(),
        scheduler: new NodeScheduler(),
        log: () => {},
      });
      return new BenchCluster(name, name, connection, db, client, sql);
    } catch (error) {
      await teardown(name, connection, db, sql);
      throw error;
    }
  }

  async createActors(ids: string[]): Promise<void> {
    for (const id of ids) {
      await this.client.createActor({ id, name: id, script: okScript, goals: ['x'] });
      await this.client.startActor(id);
    }
  }

  async addMember(id: string, execArgv: string[] = []): Promise<Member> {
    const member = new Member(id, this, execArgv);
    this.members.push(member);
    await member.ready;
    return member;
  }

  /** Partitions by live owner, from the lease table. */
  async owners(): Promise<Map<string, number[]>> {
    const { rows } = await this.sql.query<{ owner: string; partition: number }>(
      `SELECT owner, partition FROM pantheon_cluster_leases
        WHERE cluster = $1 AND owner IS NOT NULL AND expires_at > clock_timestamp()
        ORDER BY partition`,
      [this.name],
    );
    const owners = new Map<string, number[]>();
    for (const row of rows)
      owners.set(row.owner, [...(owners.get(row.owner) ?? []), row.partition]);
    return owners;
  }

  /**
   * Until the shares settled: every partition leased by a live member, none above its share,
   * the same for three polls in a row (a heartbeat is 250 ms).
   */
  async settled(timeoutMs = 60_000): Promise<Map<string, number[]>> {
    const live = this.members.filter((member) => member.alive);
    const share = Math.ceil(PARTITIONS / live.length);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    let same = 0;
    for (;;) {
      const owners = await this.owners();
      const counts = [...owners.values()].map((partitions) => partitions.length);
      const even =
        counts.reduce((sum, count) => sum + count, 0) === PARTITIONS &&
        owners.size === live.length &&
        live.every((member) => owners.has(member.id)) &&
        counts.every((count) => count <= share);
      const shape = JSON.stringify([...owners].sort());
      same = even && shape === last ? same + 1 : 0;
      last = shape;
      if (same >= 2) return owners;
      if (Date.now() > deadline) throw new Error(`cluster did not settle: ${shape}`);
      await sleep(200);
    }
  }

  /** Stops the members, then deletes the stream and the schema (once). */
  readonly close = async (): Promise<void> => {
    if (!cleanups.delete(this.close)) return;
    await Promise.all(this.members.map((member) => member.stop()));
    await this.client.shutdown().catch(() => undefined);
    await teardown(this.name, this.connection, this.db, this.sql);
  };
}

/** Deletes the stream and the schema and closes what `BenchCluster.open` opened. */
async function teardown(
  name: string,
  connection: NatsConnection,
  db: Persistence | undefined,
  sql: pg.Client,
): Promise<void> {
  await db?.close().catch(() => undefined);
  const jsm = await jetstreamManager(connection).catch(() => undefined);
  await jsm?.streams.delete(name).catch(() => undefined);
  await connection.close().catch(() => undefined);
  await sql.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined);
  await sql.end().catch(() => undefined);
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

/**
 * Raw JetStream: publish `count` messages (the same window) and consume them with acks, in this
 * process; messages/s and this process's CPU ms per message.
 */
async function rawJetStream(count: number): Promise<{ perSecond: number; cpuMs: number }> {
  const connection = await connect({ servers: NATS_URL });
  const stream = `bench_raw_${crypto.randomUUID().slice(0, 8)}`;
  const jsm = await jetstreamManager(connection);
  const cleanup = () => jsm.streams.delete(stream);
  cleanups.add(cleanup);
  try {
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await jsm.consumers.add(stream, {
      durable_name: 'raw',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const js = jetstream(connection);
    const consumer = await js.consumers.get(stream, 'raw');
    const cpu = process.cpuUsage();
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
          js.publish(`${stream}.p.${(sent + index) % PARTITIONS}`, 'ping', {
            msgID: `m${sent + index}`,
          }),
        ),
      );
    }
    await consumed;
    const perSecond = (count / (performance.now() - started)) * 1_000;
    const used = process.cpuUsage(cpu);
    return { perSecond, cpuMs: (used.user + used.system) / 1_000 / count };
  } finally {
    cleanups.delete(cleanup);
    await cleanup().catch(() => undefined);
    await connection.close();
  }
}

/** What processes used between two readings of each (`before[i]`, `after[i]`), per message. */
function perMessage(before: NodeUsage[], after: NodeUsage[], messages: number) {
  const delta = (of: (usage: NodeUsage) => number | undefined) => {
    let total = 0;
    for (const [index, usage] of after.entries())
      total += (of(usage) ?? Number.NaN) - (of(before[index]!) ?? Number.NaN);
    return total / messages;
  };
  return {
    cpuMs: round(
      delta((usage) => usage.cpuMs),
      3,
    ),
    postgresCpuMs: round(
      delta((usage) => usage.postgresCpuMs),
      3,
    ),
    postgresRoundTrips: round(
      delta((usage) => usage.queries.total),
      2,
    ),
    statementsInGroupCommits: round(
      delta((usage) => usage.queries.groupedStatements),
      2,
    ),
  };
}

/** PostgreSQL statements per message between two readings, most frequent first. */
function statementsPerMessage(
  before: NodeUsage[],
  after: NodeUsage[],
  messages: number,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [index, usage] of after.entries()) {
    const earlier = before[index]!.queries.byStatement;
    for (const [statement, count] of Object.entries(usage.queries.byStatement))
      counts[statement] = (counts[statement] ?? 0) + count - (earlier[statement] ?? 0);
  }
  return Object.fromEntries(
    Object.entries(counts)
      .filter(([, count]) => count / messages >= 0.01)
      .sort(([, a], [, b]) => b - a)
      .map(([statement, count]) => [statement, round(count / messages, 2)]),
  );
}

/**
 * Messages/s end to end with `members` member processes: `sendMessage` from the client in this
 * process → JetStream → the owner stores it → a durable tick (one reply) commits → the reply is
 * published → the client sees it; `ROUNDS` rounds, each after a raw JetStream round. With what
 * the members and the client used per message over the cluster's rounds (CPU, PostgreSQL round
 * trips and statements, CPU of the PostgreSQL server processes serving them).
 */
async function clusterThroughput(members: number, postgres: ReturnType<typeof watchPostgres>) {
  const cluster = await BenchCluster.open();
  try {
    const actors = Array.from({ length: ACTORS }, (_, index) => `bench-${index}`);
    await cluster.createActors(actors);
    for (let index = 0; index < members; index++) {
      const profile =
        PROFILE_DIR && members === 1 ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
      await cluster.addMember(`node-${index}`, profile);
    }
    await cluster.settled();
    await pump(cluster.client, actors, WARMUP);
    const usage = () => Promise.all(cluster.members.map((member) => member.usage()));
    const raw: number[] = [];
    const rawDurable: { perSecond: number; cpuMs: number }[] = [];
    const rounds: number[] = [];
    let rawCpuMs = 0;
    const membersBefore = await usage();
    const client = { before: [] as NodeUsage[], after: [] as NodeUsage[] };
    for (let round = 0; round < ROUNDS; round++) {
      const baseline = await rawJetStream(MESSAGES);
      raw.push(baseline.perSecond);
      rawCpuMs += baseline.cpuMs;
      if (members === 1) {
        rawDurable.push(
          await rawDurableLoop({
            natsUrl: NATS_URL,
            postgresUrl: POSTGRES_URL,
            schema: cluster.schema,
            messages: MESSAGES,
            actors: ACTORS,
            partitions: PARTITIONS,
            inFlight: IN_FLIGHT,
          }),
        );
      }
      client.before.push(usageOf(postgres));
      rounds.push(await pump(cluster.client, actors, MESSAGES));
      client.after.push(usageOf(postgres));
    }
    const membersAfter = await usage();
    const messages = MESSAGES * ROUNDS;
    return {
      perSecond: median(rounds),
      rawPerSecond: median(raw),
      rawDurable:
        rawDurable.length > 0
          ? {
              perSecond: median(rawDurable.map((round) => round.perSecond)),
              cpuMs: median(rawDurable.map((round) => round.cpuMs)),
            }
          : undefined,
      rawCpuMs: rawCpuMs / ROUNDS,
      usage: {
        members: perMessage(membersBefore, membersAfter, messages),
        client: perMessage(client.before, client.after, messages),
      },
      statements: statementsPerMessage(membersBefore, membersAfter, messages),
    };
  } finally {
    await cluster.close();
  }
}

/** An actor id in each partition. */
function probes(): string[] {
  const byPartition = new Map<number, string>();
  for (let index = 0; byPartition.size < PARTITIONS; index++) {
    const id = `probe-${index}`;
    const partition = partitionOf(id, PARTITIONS);
    if (!byPartition.has(partition)) byPartition.set(partition, id);
  }
  return Array.from({ length: PARTITIONS }, (_, partition) => byPartition.get(partition)!);
}

/**
 * Three member processes. `ask` p50/p99 from the client to actors in the members, one at a
 * time; then `FAILOVER_SAMPLES` times: SIGKILL the oldest member, ask an actor in each of its
 * partitions at once, and time from the kill to the first answer (the first message processed
 * by a new owner) and to the last (all its partitions back); start a new member and wait for
 * the shares to settle before the next sample.
 */
async function latencyAndFailover() {
  const cluster = await BenchCluster.open();
  try {
    const actors = Array.from({ length: ACTORS }, (_, index) => `bench-${index}`);
    const probe = probes();
    await cluster.createActors([...actors, ...probe]);
    let next = 0;
    for (; next < 3; next++) await cluster.addMember(`node-${next}`);
    await cluster.settled();
    for (const actor of actors) await cluster.client.ask(actor, 'warm', { timeoutMs: 30_000 });
    const asks: number[] = [];
    for (let index = 0; index < ASKS; index++) {
      const started = performance.now();
      await cluster.client.ask(actors[index % ACTORS]!, 'ping', { timeoutMs: 30_000 });
      asks.push(performance.now() - started);
    }
    asks.sort((a, b) => a - b);

    const firstMs: number[] = [];
    const allMs: number[] = [];
    for (let sample = 0; sample < FAILOVER_SAMPLES; sample++) {
      const owners = await cluster.settled();
      await Promise.all(probe.map((id) => cluster.client.ask(id, 'warm', { timeoutMs: 30_000 })));
      const victim = cluster.members.find((member) => member.alive)!;
      const partitions = owners.get(victim.id) ?? [];
      const killed = performance.now();
      victim.process.kill('SIGKILL');
      await victim.exited;
      const answered = await Promise.all(
        partitions.map(async (partition) => {
          await cluster.client.ask(probe[partition]!, 'after the crash', { timeoutMs: 60_000 });
          return performance.now() - killed;
        }),
      );
      firstMs.push(Math.min(...answered));
      allMs.push(Math.max(...answered));
      await cluster.addMember(`node-${next++}`);
    }
    return {
      askP50Ms: round(percentile(asks, 0.5), 2),
      askP99Ms: round(percentile(asks, 0.99), 2),
      failover: {
        samples: FAILOVER_SAMPLES,
        firstAnswerMedianMs: round(median(firstMs), 0),
        firstAnswerMaxMs: round(Math.max(...firstMs), 0),
        allPartitionsMedianMs: round(median(allMs), 0),
        allPartitionsMaxMs: round(Math.max(...allMs), 0),
        firstAnswerMs: firstMs.map((value) => round(value, 0)),
      },
    };
  } finally {
    await cluster.close();
  }
}

/**
 * The cluster next to raw JetStream: messages/s end to end with 1, 2 and 3 member processes
 * (the client sending from this process), each the median of `ROUNDS` rounds that alternate with
 * rounds of a raw publish → consume → ack loop over the same number of messages (the ratio is
 * to those raw rounds); what each message costs the members and the client; `ask` p50/p99
 * across processes; fail-over after a SIGKILL.
 */
export async function benchCluster() {
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  const loadBefore = loadavg();
  const postgres = watchPostgres();
  process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
  try {
    const raw: number[] = [];
    const rawCpuMs: number[] = [];
    const perSecond: Record<string, number> = {};
    const ratioToRaw: Record<string, number> = {};
    const perMessage: Record<string, unknown> = {};
    let statements: Record<string, number> = {};
    let rawDurable: Record<string, number> | undefined;
    for (const members of [1, 2, 3]) {
      const result = await clusterThroughput(members, postgres);
      raw.push(result.rawPerSecond);
      rawCpuMs.push(result.rawCpuMs);
      perSecond[members] = round(result.perSecond, 0);
      ratioToRaw[members] = round(result.perSecond / result.rawPerSecond, 3);
      perMessage[members] = result.usage;
      if (members === 1) {
        statements = result.statements;
        const durable = result.rawDurable!;
        rawDurable = {
          perSecond: round(durable.perSecond, 0),
          cpuMsPerMessage: round(durable.cpuMs, 3),
          ratioToRawJetStream: round(durable.perSecond / result.rawPerSecond, 3),
          clusterOneMemberRatio: round(result.perSecond / durable.perSecond, 3),
        };
      }
    }
    const latency = await latencyAndFailover();
    return {
      messages: MESSAGES,
      actors: ACTORS,
      partitions: PARTITIONS,
      inFlight: IN_FLIGHT,
      rounds: ROUNDS,
      rawJetStreamPerSecond: round(median(raw), 0),
      rawJetStreamCpuMsPerMessage: round(median(rawCpuMs), 3),
      clusterPerSecond: perSecond,
      ratioToRaw,
      /** The same durable work written by hand on the raw clients, next to one member's rounds. */
      rawDurableLoop: rawDurable,
      perMessage,
      postgresStatementsPerMessageOneMember: statements,
      ...latency,
      loadAverage: {
        before: loadBefore.map((load) => round(load, 2)),
        after: loadavg().map((load) => round(load, 2)),
      },
    };
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    postgres.uninstall();
  }
}

if (process.argv[1]?.endsWith('cluster.bench.ts')) {
  console.log(JSON.stringify(await benchCluster(), null, 2));
}
