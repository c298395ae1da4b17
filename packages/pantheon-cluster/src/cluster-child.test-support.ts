/**
 * One process of the proof cluster (started by `cluster-proof.test.ts` with `--import tsx`):
 *   cluster-child.test-support.ts <nats-url> <postgres-url> <schema> <cluster-name> <label> <attempts-file>
 * Runs the `proof` script: each message's content is the actor's next sequence number; a tick
 * records its attempt (actor, sequence, node, epoch, time) as a line of `<attempts-file>` outside
 * the tick, appends `[sequence, epoch]` to the actor's `log` key in the tick, and answers the
 * sender.
 * Prints `ready <node id>` once it has joined; runs until killed or sent SIGTERM (graceful).
 */
import { appendFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { InMemoryToolAdapter, NodeScheduler } from '@promethean-os/pantheon-adapters';
import type { ActorScript, Behavior, LlmPort } from '@promethean-os/pantheon-core';
import {
  openPostgresPersistence,
  type Persistence,
  ScriptRegistry,
} from '@promethean-os/pantheon-persistence';
import { PantheonCluster } from './pantheon-cluster';
import { partitionOf } from './partitioning';

export const PROOF_PARTITIONS = 12;

/**
 * A read of committed state that outlasts a busy pool: a failing read would fail the behavior,
 * which consumes the message (the runtime's rule for failing behaviors), and the proof checks
 * the cluster, not that rule.
 */
async function readRetrying<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The proof script; `observe` is told of each attempt (the child records it in PostgreSQL). */
export function proofScript(
  db: () => Persistence,
  observe: (actorId: string, sequence: number) => Promise<number>,
): ActorScript {
  const behavior: Behavior = {
    name: 'record',
    mode: 'active',
    async plan({ actor, context }) {
      const sequence = Number(context.at(-1)?.content ?? 'NaN');
      const epoch = await observe(actor.id, sequence);
      const log =
        ((await readRetrying(() =>
          db().context.read('log', { actorId: actor.id }),
        )) as number[][]) ?? [];
      return {
        actions: [
          { type: 'context', operation: 'write', target: 'log', data: [...log, [sequence, epoch]] },
          { type: 'message', content: `${actor.id}:${sequence}` },
        ],
      };
    },
  };
  return {
    name: 'proof',
    talents: [{ name: 'record', behaviors: [behavior] }],
    contextSources: [{ type: 'text', content: 'Record every message.' }],
  };
}

async function main(): Promise<void> {
  const [natsUrl, postgresUrl, schema, name, label, attemptsFile] = process.argv.slice(2) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  let db: Persistence | undefined;
  // The lease as the database holds it when the tick runs: a tick commits only under the lease
  // it started under (the fence), so a committed tick ran under the epoch read here, and one
  // that reads another owner's lease cannot commit. (`ownedPartitions()` would not do: a tick
  // may still be running in a partition this process just let go, whose lease it still holds.)
  const observe = async (actorId: string, sequence: number) => {
    const partition = partitionOf(actorId, PROOF_PARTITIONS);
    const [lease] = await readRetrying(() =>
      db!.driver.all<{ owner: string | null; epoch: string }>(
        'SELECT owner, epoch FROM pantheon_cluster_leases WHERE cluster = ? AND partition = ?',
        [name, partition],
      ),
    );
    const epoch = lease?.owner === label ? Number(lease.epoch) : undefined;
    // Wall time with sub-millisecond precision, comparable between processes of one machine.
    const at = performance.timeOrigin + performance.now();
    appendFileSync(
      attemptsFile,
      `${JSON.stringify([actorId, sequence, label, epoch ?? -1, at])}\n`,
    );
    return epoch ?? -1;
  };
  const scripts = new ScriptRegistry().register(proofScript(() => db!, observe));
  db = await openPostgresPersistence({
    connectionString: postgresUrl,
    schema,
    scripts,
    poolSize: 4,
    synchronousCommit: false,
  });
  const connection = await connect({ servers: natsUrl, maxReconnectAttempts: -1 });
  const llm: LlmPort = { complete: async () => ({ role: 'assistant', content: 'ok' }) };
  const cluster = await PantheonCluster.start({
    name,
    nodeId: label,
    connection,
    persistence: db,
    partitions: PROOF_PARTITIONS,
    llmAdapter: llm,
    toolAdapter: new InMemoryToolAdapter(),
    scheduler: new NodeScheduler(),
    log: (message, fields) =>
      appendFileSync(
        `${attemptsFile}.log`,
        `${JSON.stringify({ at: new Date().toISOString(), message, ...fields })}\n`,
      ),
    supervision: { backoffMs: 20, maxBackoffMs: 200 },
    // Trimming the stream often, so that it runs through the kill and the takeovers.
    timing: { leaseMs: 1_500, heartbeatMs: 250, trimIntervalMs: 1_000 },
  });
  for (const event of ['partition.acquired', 'partition.released'] as const)
    cluster.on(event, (payload) =>
      appendFileSync(
        `${attemptsFile}.log`,
        `${JSON.stringify({ at: new Date().toISOString(), event, ...payload })}\n`,
      ),
    );
  process.stdout.write(`ready ${label}\n`);
  process.on('SIGTERM', () => {
    cluster
      .shutdown()
      .then(() => db?.close())
      .then(() => connection.close())
      .finally(() => process.exit(0));
  });
}

if (process.argv[1]?.endsWith('cluster-child.test-support.ts')) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
