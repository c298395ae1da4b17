/**
 * One member process of the cluster bench, started by `cluster.bench.ts` with `--import tsx`
 * and an IPC channel:
 *   cluster-node.ts <nats-url> <postgres-url> <schema> <cluster-name> <node-id>
 * Runs `okScript` with the cluster's default timing, sends `{ type: 'ready' }` once it
 * has joined and answers `{ type: 'usage' }` with its `NodeUsage`. SIGTERM, or the bench going
 * away (the channel closes), shuts it down gracefully; the fail-over bench SIGKILLs it.
 */
import { connect } from '@nats-io/transport-node';
import { InMemoryToolAdapter, NodeScheduler } from '@promethean-os/pantheon-adapters';
import { PantheonCluster } from '@promethean-os/pantheon-cluster';
import { openPostgresPersistence, ScriptRegistry } from '@promethean-os/pantheon-persistence';
import { instantModel, okScript } from './fixtures';
import { type QueryCounts, watchPostgres } from './postgres-usage';

/** Answers every message with one message (to the sender); no model call. */

/** What a process used so far: its PostgreSQL queries and its CPU ms. */
export interface NodeUsage {
  queries: QueryCounts;
  cpuMs: number;
  /** CPU ms so far of the PostgreSQL server processes serving it (Linux only). */
  postgresCpuMs: number | undefined;
}

/** What the bench and a node say to each other over the IPC channel. */
export type NodeMessage = { type: 'ready'; node: string } | { type: 'usage'; usage?: NodeUsage };

/** This process's usage (`watch` counts its PostgreSQL queries). */
export function usageOf(watch: ReturnType<typeof watchPostgres>): NodeUsage {
  const cpu = process.cpuUsage();
  return {
    queries: watch.read(),
    cpuMs: (cpu.user + cpu.system) / 1_000,
    postgresCpuMs: watch.backendCpuMs(),
  };
}

async function main(): Promise<void> {
  const [natsUrl, postgresUrl, schema, name, nodeId] = process.argv.slice(2) as [
    string,
    string,
    string,
    string,
    string,
  ];
  const postgres = watchPostgres();
  const db = await openPostgresPersistence({
    connectionString: postgresUrl,
    schema,
    scripts: new ScriptRegistry().register(okScript),
    poolSize: 6,
    synchronousCommit: false,
  });
  const connection = await connect({ servers: natsUrl, maxReconnectAttempts: -1 });
  const cluster = await PantheonCluster.start({
    name,
    nodeId,
    connection,
    persistence: db,
    llmAdapter: instantModel,
    toolAdapter: new InMemoryToolAdapter(),
    scheduler: new NodeScheduler(),
    log: (message, meta) => {
      if (meta?.level === 'warn' || meta?.level === 'error')
        process.stderr.write(`${nodeId}: ${message} ${JSON.stringify(meta)}\n`);
    },
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    cluster
      .shutdown()
      .then(() => db.close())
      .then(() => connection.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.on('message', (message: NodeMessage) => {
    if (message.type === 'usage' && !message.usage)
      process.send?.({ type: 'usage', usage: usageOf(postgres) } satisfies NodeMessage);
  });
  process.send?.({ type: 'ready', node: nodeId } satisfies NodeMessage);
}

if (process.argv[1]?.endsWith('cluster-node.ts')) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
