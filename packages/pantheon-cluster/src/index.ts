/**
 * `@promethean-os/pantheon-cluster`: `PantheonCluster`, Pantheon's actors across processes and
 * machines on NATS JetStream (messages) and PostgreSQL (state, durable mailboxes, partition
 * leases).
 *
 * @packageDocumentation
 */
export type { Lease } from './leases';
export {
  type ClusterActorStatus,
  type ClusterDeadLetter,
  type ClusterDeadLetterReason,
  type ClusterEventOptions,
  type ClusterShutdownOptions,
  type ClusterTiming,
  PantheonCluster,
  type PantheonClusterEvents,
  type PantheonClusterOptions,
} from './pantheon-cluster';
export { partitionOf } from './partitioning';
