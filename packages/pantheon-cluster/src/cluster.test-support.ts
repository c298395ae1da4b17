import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { InMemoryToolAdapter, NodeScheduler } from '@promethean-os/pantheon-adapters';
import type { ActorScript, Behavior, LlmPort } from '@promethean-os/pantheon-core';
import {
  openPostgresPersistence,
  type Persistence,
  ScriptRegistry,
} from '@promethean-os/pantheon-persistence';
import pg from 'pg';
import { PantheonCluster, type PantheonClusterOptions } from './pantheon-cluster';

export const POSTGRES_URL =
  process.env.PANTHEON_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const NATS_URL = process.env.PANTHEON_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * The test actors' script: each message is counted in the actor's key/value store and answered
 * (`echo:<content>`, to the conversation's `replyTo`); `forward:<actor>:<text>` also sends
 * `<text>` on to `<actor>`; `bounce:<actor>` sends `bounce:<itself>` to `<actor>` (two actors
 * bounce a message between them until the hop limit); `gate` waits for `gate()` first.
 */
export function echoScripts(db: () => Persistence, gate?: () => Promise<void>): ScriptRegistry {
  const echo: Behavior = {
    name: 'echo',
    mode: 'active',
    async plan({ actor, context }) {
      const input = context.at(-1)?.content ?? '';
      if (input === 'gate' && gate) await gate();
      const count = ((await db().context.read('count', { actorId: actor.id })) as number) ?? 0;
      const actions: Awaited<ReturnType<Behavior['plan']>>['actions'] = [
        { type: 'context', operation: 'write', target: 'count', data: count + 1 },
        { type: 'message', content: `echo:${input}` },
      ];
      if (input.startsWith('forward:')) {
        const [, target, text] = input.split(':');
        actions.push({ type: 'message', content: text ?? '', target: target ?? '' });
      }
      if (input.startsWith('bounce:')) {
        actions.push({ type: 'message', content: `bounce:${actor.id}`, target: input.slice(7) });
      }
      return { actions };
    },
  };
  const script: ActorScript = {
    name: 'echo',
    talents: [{ name: 'echo', behaviors: [echo] }],
    contextSources: [{ type: 'text', content: 'Echo every message.' }],
  };
  return new ScriptRegistry().register(script);
}

/** The echo script, to create actors with (each process re-attaches its own by name). */
export const ECHO_SCRIPT: ActorScript = echoScripts(() => {
  throw new Error('createActor does not run the script');
}).get('echo')!;

const llm: LlmPort = { complete: async () => ({ role: 'assistant', content: 'ok' }) };

/**
 * A unique PostgreSQL schema and cluster name per test run, and what a test process opens.
 * `natsUrl`: the NATS server of every process (default the shared one).
 */
export class ClusterFixture {
  constructor(private readonly natsUrl = NATS_URL) {}
  readonly schema = `pantheon_cluster_${process.pid}_${crypto.randomUUID().slice(0, 8)}`;
  readonly name = `pantheon_cluster_${crypto.randomUUID().slice(0, 8)}`;
  private readonly opened: {
    cluster?: PantheonCluster;
    connection: NatsConnection;
    db: Persistence;
  }[] = [];

  /** A process of the cluster: its own NATS connection and database pool. */
  async node(
    options: Partial<PantheonClusterOptions> & {
      postgresUrl?: string;
      gate?: () => Promise<void>;
      /** The process's scripts (default `echoScripts`), over its own database. */
      scripts?: (db: () => Persistence) => ScriptRegistry;
    } = {},
  ): Promise<{ cluster: PantheonCluster; connection: NatsConnection; db: Persistence }> {
    const { postgresUrl, gate, scripts, ...clusterOptions } = options;
    const connection = await connect({
      servers: this.natsUrl,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
    let db: Persistence | undefined;
    db = await openPostgresPersistence({
      connectionString: postgresUrl ?? POSTGRES_URL,
      schema: this.schema,
      scripts: scripts ? scripts(() => db!) : echoScripts(() => db!, gate),
      poolSize: 4,
    });
    const entry: (typeof this.opened)[number] = { connection, db };
    this.opened.push(entry);
    const cluster = await PantheonCluster.start({
      name: this.name,
      connection,
      persistence: db,
      llmAdapter: llm,
      toolAdapter: new InMemoryToolAdapter(),
      scheduler: new NodeScheduler(),
      log: () => {},
      supervision: { backoffMs: 20, maxBackoffMs: 200 },
      ...clusterOptions,
    });
    entry.cluster = cluster;
    return { cluster, connection, db };
  }

  /** Shuts down the cluster of every process opened so far (a no-op for those already down). */
  async shutdownNodes(): Promise<void> {
    for (const { cluster } of this.opened) await cluster?.shutdown().catch(() => undefined);
  }

  /** Shuts every process down, deletes the stream and drops the schema. */
  async cleanup(): Promise<void> {
    for (const { cluster } of this.opened) await cluster?.shutdown().catch(() => undefined);
    for (const { db } of this.opened) await db.close().catch(() => undefined);
    const first = this.opened[0]?.connection;
    if (first) {
      const jsm = await jetstreamManager(first);
      await jsm.streams.delete(this.name).catch(() => undefined);
    }
    for (const { connection } of this.opened) await connection.close().catch(() => undefined);
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
    await client.end();
  }
}

/** A TCP proxy to PostgreSQL that a test can cut (existing connections dropped, new ones refused) and restore. */
export class DatabaseProxy {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target = { host: '127.0.0.1', port: 5432 }): Promise<DatabaseProxy> {
    let proxy: DatabaseProxy | undefined;
    const server = createServer((client) => {
      if (proxy?.cutOff) {
        client.destroy();
        return;
      }
      const upstream = netConnect(target.port, target.host);
      proxy?.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy = new DatabaseProxy(server, typeof address === 'object' && address ? address.port : 0);
    return proxy;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/test`;
  }

  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A `nats-server -js` of the test's own, to kill and restart (shared with the `/nats` bus tests). */
export { OwnNatsServer } from '../../pantheon-adapters/src/integrations/nats/nats-server.test-support';
