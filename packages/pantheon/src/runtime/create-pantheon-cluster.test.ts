// createPantheonCluster and startApp in cluster mode, on the real NATS (127.0.0.1:4222) and
// PostgreSQL (127.0.0.1:5432, a fresh schema dropped afterwards).
import { type ActorScript, ConfigError, llmBehavior } from '@promethean-os/pantheon-core';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { defineApp } from '../app/define-app';
import { startApp } from '../app/start-app';
import {
  CuttableProxy,
  deleteStreams,
  dropSchema,
  freePort,
  NATS_URL,
  POSTGRES_URL,
  testSchema,
  testStream,
} from '../services.test-support';
import { createPantheon } from './create-pantheon';
import { createPantheonCluster } from './create-pantheon-cluster';
import { OfflineEchoModel } from './offline-model';
import { PantheonClusterNode } from './pantheon-cluster-node';
import type { PantheonRuntime } from './pantheon-runtime';

const quiet = () => {};
const eventually = (assertion: () => unknown) =>
  vi.waitFor(assertion, { timeout: 15_000, interval: 50 });

const schema = testSchema();
const name = testStream();
const running: PantheonRuntime[] = [];

afterEach(async () => {
  for (const node of running.splice(0)) await node.shutdown({ drain: false });
});

afterAll(async () => {
  await deleteStreams([name]);
  await dropSchema(schema);
});

const answering: ActorScript = {
  name: 'answering',
  talents: [{ name: 'talk', behaviors: [llmBehavior({ name: 'answer' })] }],
  contextSources: [],
};

// `helper` is in partition 1 of 4: the first node keeps it when the second joins.
const app = defineApp({ actors: [{ id: 'helper', script: answering, goals: ['Help'] }] });

function clusterConfig(nodeId: string, cluster: Record<string, unknown> = {}, url = POSTGRES_URL) {
  return {
    adapters: {
      persistence: { type: 'postgres', url, schema, poolSize: 4 },
      bus: { type: 'nats', url: NATS_URL },
    },
    cluster: { name, partitions: 4, nodeId, ...cluster },
  } as const;
}

async function schemaExists(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
      [schema],
    );
    return rows.length === 1;
  } finally {
    await client.end();
  }
}

describe('createPantheonCluster', () => {
  it('is CONFIG_INVALID on the wrong function for the configuration, opening nothing', async () => {
    const single = await createPantheon(clusterConfig('node-a'), { log: quiet }).catch(
      (caught: unknown) => caught,
    );
    expect(ConfigError.isInstance(single)).toBe(true);
    expect(single).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((single as ConfigError).details?.issues).toEqual([
      {
        field: 'cluster',
        source: { kind: 'argument' },
        message: `the configuration describes a cluster ("${name}"), and createPantheon runs one process's system: use createPantheonCluster (startApp and pantheon start run either)`,
      },
    ]);
    const { cluster: _cluster, ...withoutCluster } = clusterConfig('node-a');
    const joined = await createPantheonCluster(withoutCluster, { log: quiet }).catch(
      (caught: unknown) => caught,
    );
    expect(joined).toMatchObject({
      code: 'CONFIG_INVALID',
      details: { issues: [expect.objectContaining({ field: 'cluster' })] },
    });
    expect((joined as Error).message).toContain(
      'set cluster.name (or PANTHEON_CLUSTER_NAME), or use createPantheon for one process',
    );
    expect(await schemaExists()).toBe(false);
  });

  it('runs an app on two nodes and a client: any answers, each lists the cluster, shutdown hands over then closes', async () => {
    const a = await startApp(clusterConfig('node-a'), app, { log: quiet });
    running.push(a);
    expect(a).toBeInstanceOf(PantheonClusterNode);
    const nodeA = a as PantheonClusterNode;
    expect(nodeA.nodeId).toBe('node-a');
    expect(nodeA.model).toBe(
      `${OfflineEchoModel.label}: echoes the last user message, no model is called`,
    );
    expect(nodeA.describeResources()).toEqual([
      { name: 'persistence', description: `postgres ${POSTGRES_URL} schema ${schema}` },
      { name: 'bus', description: `nats ${NATS_URL} stream ${name}` },
    ]);
    // The second process starts the same app: the stored actor is reused.
    const b = (await startApp(clusterConfig('node-b'), app, { log: quiet })) as PantheonClusterNode;
    running.push(b);
    const client = await createPantheonCluster(clusterConfig('front', { member: false }), {
      scripts: [answering],
      log: quiet,
    });
    running.push(client);
    await eventually(() => {
      expect(nodeA.ownedPartitions().map((lease) => lease.partition)).toEqual([0, 1]);
      expect(b.ownedPartitions().map((lease) => lease.partition)).toEqual([2, 3]);
    });
    expect(client.ownedPartitions()).toEqual([]);

    for (const node of [nodeA, b, client]) {
      const reply = await node.ask('helper', `from ${node.nodeId}`, { timeoutMs: 15_000 });
      expect(reply).toMatchObject({
        from: 'helper',
        content: `${OfflineEchoModel.label} You said: from ${node.nodeId}`,
      });
      expect(await node.describeActors()).toEqual([
        {
          id: 'helper',
          name: 'helper',
          script: 'answering',
          state: 'idle',
          started: true,
          mailboxDepth: 0,
          partition: 1,
          owner: 'node-a',
        },
      ]);
      expect(await node.checkReadiness()).toMatchObject({
        ready: true,
        checks: [
          { name: 'persistence', ok: true },
          { name: 'bus', ok: true },
        ],
      });
    }
    // node-a ran every tick: its read-out holds helper's mailbox, node-b's nothing.
    expect(nodeA.getRuntimeStats().mailboxes).toEqual([
      { actorId: 'helper', started: true, depth: 0 },
    ]);
    expect(b.getRuntimeStats().mailboxes).toEqual([]);

    // node-a leaves: its partitions go to node-b, which answers for helper from then on.
    expect(await nodeA.shutdown()).toEqual({ interrupted: [], pending: [], kept: [] });
    const closed = await nodeA.checkReadiness({ timeoutMs: 500 });
    expect(closed.ready).toBe(false);
    expect(closed.checks.map((check) => check.ok)).toEqual([false, false]);
    await eventually(async () => expect((await client.describeActors())[0]?.owner).toBe('node-b'));
    const after = await client.ask('helper', 'still there?', { timeoutMs: 15_000 });
    expect(after.content).toBe(`${OfflineEchoModel.label} You said: still there?`);
    expect(b.ownedPartitions()).toHaveLength(4);
  }, 60_000);

  it('starts an app in two processes at once: each creates what the other has not stored yet', async () => {
    const many = defineApp({
      actors: Array.from({ length: 20 }, (_, index) => ({
        id: `worker-${index}`,
        script: answering,
        goals: ['Help'],
      })),
    });
    const nodes = await Promise.all(
      ['node-c', 'node-d'].map((node) => startApp(clusterConfig(node), many, { log: quiet })),
    );
    running.push(...nodes);
    const listed = await nodes[0]!.describeActors();
    expect(listed.filter((actor) => actor.id.startsWith('worker-'))).toHaveLength(20);
    expect(listed.every((actor) => actor.started)).toBe(true);
    const reply = await nodes[1]!.ask('worker-7', 'ready?', { timeoutMs: 15_000 });
    expect(reply.content).toBe(`${OfflineEchoModel.label} You said: ready?`);
  }, 60_000);

  it('is BUS_UNAVAILABLE when NATS does not answer, and closes the database pool it opened', async () => {
    const target = new URL(POSTGRES_URL);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const databaseUrl = new URL(POSTGRES_URL);
    databaseUrl.port = String(await proxy.listen());
    try {
      const natsPort = await freePort();
      const config = clusterConfig('node-x', {}, databaseUrl.toString());
      const error = await createPantheonCluster(
        {
          ...config,
          adapters: {
            ...config.adapters,
            bus: { type: 'nats', url: `nats://127.0.0.1:${natsPort}` },
          },
        },
        { log: quiet },
      ).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        code: 'BUS_UNAVAILABLE',
        details: { field: 'adapters.bus', bus: `nats nats://127.0.0.1:${natsPort} stream ${name}` },
      });
      // The database was opened (migrated through the proxy), then its pool closed: at once,
      // not after the pool's 10 s idle timeout.
      const connections = () =>
        new Promise<number>((resolve, reject) =>
          proxy.server.getConnections((failure, count) =>
            failure ? reject(failure) : resolve(count),
          ),
        );
      await vi.waitFor(async () => expect(await connections()).toBe(0), { timeout: 3_000 });
    } finally {
      await proxy.close();
    }
  });

  it("starts an app's actor with intervalMs: the cluster stores the interval with its start", async () => {
    const ticker = defineApp({
      actors: [{ id: 'ticker', script: answering, goals: [], intervalMs: 1_000 }],
    });
    running.push(await startApp(clusterConfig('node-t'), ticker, { log: quiet }));
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT started, interval_ms FROM "${schema}".pantheon_cluster_actors
          WHERE cluster = $1 AND actor_id = 'ticker'`,
        [name],
      );
      expect(rows).toEqual([{ started: true, interval_ms: 1_000 }]);
    } finally {
      await client.end();
    }
  }, 30_000);
});
