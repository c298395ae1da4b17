import { invalidConfig } from '../config/config-errors';
import type { PantheonConfig, PantheonConfigInput } from '../config/config-schema';
import { resolveConfig } from '../config/load-config';
import { type CreatePantheonOptions, prepareWiring } from './create-pantheon';
import { openNats } from './open-bus';
import { openPersistence } from './open-persistence';
import { PantheonClusterNode } from './pantheon-cluster-node';
import { closeAll, type Resource } from './resource';

/**
 * Joins the cluster that `config.cluster` describes and returns this process's running member:
 * a `PantheonCluster` on the configured PostgreSQL (schema migrations and lease tables applied)
 * and NATS JetStream (the cluster's stream created when missing), with the model, scripts, tools,
 * limits, supervision and logger of the configuration. Every process started with the same
 * `cluster.name`, database and NATS forms one cluster: each owns a share of the partitions and
 * any of them answers for any actor.
 *
 * The options are those of `createPantheon`. `shutdown()` hands this process's partitions over
 * to the others, then closes the NATS connection and the database.
 *
 * @throws ConfigError `CONFIG_INVALID` for an invalid configuration or one without a `cluster`
 * section (then use `createPantheon`); `CONFIG_ERROR` for a missing API key; `PantheonError`
 * `STORE_UNAVAILABLE` or `BUS_UNAVAILABLE` when PostgreSQL or NATS (with JetStream) cannot be
 * reached. What was opened before a failure is closed again.
 *
 * @example
 * // PANTHEON_CLUSTER_NAME=support PANTHEON_PERSISTENCE_URL=postgres://… PANTHEON_BUS_URL=nats://…
 * const node = await createPantheonCluster(await loadConfig(), { scripts: [supportScript] });
 * await node.createActor({ id: 'support', name: 'support', script: supportScript, goals: ['Help'], ifExists: 'reuse' });
 * await node.startActor('support');
 * const answer = await node.ask('support', 'Where is my parcel?');
 * await node.shutdown(); // hands its partitions over
 */
export async function createPantheonCluster(
  config: PantheonConfig | PantheonConfigInput,
  options: CreatePantheonOptions = {},
): Promise<PantheonClusterNode> {
  const resolved = resolveConfig(config);
  const cluster = resolved.cluster;
  const { persistence, bus } = resolved.adapters;
  // The schema makes a cluster section come with postgres and nats.
  if (!cluster || persistence.type !== 'postgres' || bus.type !== 'nats') {
    throw invalidConfig([
      {
        field: 'cluster',
        source: { kind: 'argument' },
        message:
          'missing: createPantheonCluster joins the cluster the configuration describes; set cluster.name (or PANTHEON_CLUSTER_NAME), or use createPantheon for one process',
      },
    ]);
  }
  const wiring = await prepareWiring(resolved, options, 'createPantheonCluster');
  const resources: Resource[] = [];
  try {
    const database = await openPersistence(persistence, wiring.scripts);
    resources.push(database!.resource);
    const nats = await openNats(bus, cluster.name);
    resources.push(nats.resource);
    const { PantheonCluster } = await import('@promethean-os/pantheon-cluster');
    const member = await PantheonCluster.start({
      name: cluster.name,
      connection: nats.connection,
      persistence: database!.db,
      partitions: cluster.partitions,
      nodeId: cluster.nodeId,
      member: cluster.member,
      timing: cluster.timing,
      ...wiring.systemOptions,
    });
    return new PantheonClusterNode(member, {
      config: resolved,
      logger: wiring.logger,
      resources,
      model: wiring.model.description,
    });
  } catch (error) {
    await closeAll(resources);
    throw error;
  }
}
