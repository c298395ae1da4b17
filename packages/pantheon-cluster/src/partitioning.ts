/**
 * The partition of an actor: FNV-1a of its id modulo `partitions`. Stable across processes and
 * versions — changing it (or `partitions`) moves actors, so a cluster keeps both for its life.
 */
export function partitionOf(actorId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < actorId.length; index++) {
    hash ^= actorId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/** Subjects and names of one cluster on its JetStream stream. */
export interface ClusterSubjects {
  stream: string;
  /** Messages to the actors of a partition (`'*'`: of every partition). */
  partition(partition: number | '*'): string;
  /**
   * The durable consumer of a partition under one lease: each owner reads its own, which
   * replaces its predecessor's (so a stale owner can never read its successor's).
   */
  consumer(partition: number, epoch: number): string;
  /** Prefix of replies: messages to anything that is not an actor (e.g. `'user'`). */
  replies: string;
  /** Runtime events, on core NATS (not in the stream). */
  events: string;
  /** Requests to the owner of a partition to decide an approval, on core NATS. */
  decisions(partition: number): string;
}

export function clusterSubjects(name: string): ClusterSubjects {
  return {
    stream: name,
    partition: (partition) => `${name}.p.${partition}`,
    consumer: (partition, epoch) => `${name}-p${partition}-e${epoch}`,
    replies: `${name}.r`,
    events: `${name}.events`,
    decisions: (partition) => `${name}.decisions.${partition}`,
  };
}
