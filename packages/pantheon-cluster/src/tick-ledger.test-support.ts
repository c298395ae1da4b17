import type { ActorScript, Behavior } from '@promethean-os/pantheon-core';
import { type Persistence, ScriptRegistry } from '@promethean-os/pantheon-persistence';
import { expect } from 'vitest';
import type { PantheonCluster } from './pantheon-cluster';
import { partitionOf } from './partitioning';

/** The start of one tick: the actor, its message's sequence, the process and its lease epoch (-1: none). */
export interface TickAttempt {
  actor: string;
  sequence: number;
  node: string;
  epoch: number;
}

/** Reads committed state again while the database is away; gives up when the tick is aborted. */
async function readWhileAway<T>(read: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (signal.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function ledgerScript(
  db: () => Persistence,
  observe: (actorId: string, sequence: number) => number,
  hold: () => Promise<void>,
): ActorScript {
  const behavior: Behavior = {
    name: 'record',
    mode: 'active',
    async plan({ actor, context, signal }) {
      const sequence = Number(context.at(-1)?.content ?? 'NaN');
      const epoch = observe(actor.id, sequence);
      const log =
        ((await readWhileAway(() => db().context.read('log', { actorId: actor.id }), signal)) as
          | number[][]
          | null) ?? [];
      await hold();
      return {
        actions: [
          { type: 'context', operation: 'write', target: 'log', data: [...log, [sequence, epoch]] },
          { type: 'message', content: `${actor.id}:${sequence}` },
        ],
      };
    },
  };
  return {
    name: 'ledger',
    talents: [{ name: 'record', behaviors: [behavior] }],
    contextSources: [{ type: 'text', content: 'Record every message.' }],
  };
}

/**
 * Actors that keep a ledger, for the fault tests: each message's content is the actor's next
 * sequence number (1, 2, 3 …); a tick records its attempt (actor, sequence, process, epoch of
 * the partition's lease in that process) in `attempts`, appends `[sequence, epoch]` to the
 * actor's `log` key within the tick, and answers `<actor>:<sequence>` to the sender. While
 * `hold()` is on, ticks wait between reading the log and committing (`release()` lets them go).
 * `check` asserts what the proof asserts: every accepted message handled once, in order,
 * by committed ticks, and never two processes owning an actor's partition under one epoch.
 */
export class TickLedger {
  readonly attempts: TickAttempt[] = [];
  private readonly nodes = new Map<string, PantheonCluster>();
  private held: Promise<void> | undefined;
  private letGo: () => void = () => {};

  constructor(private readonly partitions = 16) {}

  /** The script to create actors with (each process attaches its own by name). */
  static readonly script: ActorScript = ledgerScript(
    () => {
      throw new Error('createActor does not run the script');
    },
    () => -1,
    async () => {},
  );

  /** The scripts of a process (`fixture.node({ nodeId, scripts })`); `watch` it once started. */
  scripts(node: string): (db: () => Persistence) => ScriptRegistry {
    const observe = (actor: string, sequence: number) => {
      const partition = partitionOf(actor, this.partitions);
      const lease = this.nodes
        .get(node)
        ?.ownedPartitions()
        .find((owned) => owned.partition === partition);
      const epoch = lease?.epoch ?? -1;
      this.attempts.push({ actor, sequence, node, epoch });
      return epoch;
    };
    return (db) =>
      new ScriptRegistry().register(
        ledgerScript(db, observe, () => this.held ?? Promise.resolve()),
      );
  }

  /** Lets the ledger read the leases of a started process (by its `nodeId`). */
  watch(cluster: PantheonCluster): void {
    this.nodes.set(cluster.nodeId, cluster);
  }

  /** Ticks from now on wait after their read until `release()`. */
  hold(): void {
    this.held ??= new Promise<void>((resolve) => {
      this.letGo = resolve;
    });
  }

  release(): void {
    this.held = undefined;
    this.letGo();
  }

  /** The committed `[sequence, epoch]` entries of an actor. */
  async log(db: Persistence, actor: string): Promise<number[][]> {
    return ((await db.context.read('log', { actorId: actor })) as number[][] | null) ?? [];
  }

  /**
   * Asserts that each actor's committed log is exactly `1 … accepted` (once each, in order),
   * that its epochs never go back, that one epoch of a partition was one process's, and that
   * every committed entry ran under an epoch of the process that owned it.
   */
  async check(db: Persistence, accepted: ReadonlyMap<string, number>): Promise<void> {
    const ownerOfEpoch = new Map<string, string>();
    for (const attempt of this.attempts) {
      // -1: it ran after its process let the partition go; its commit is fenced.
      if (attempt.epoch < 0) continue;
      const key = `${partitionOf(attempt.actor, this.partitions)}@${attempt.epoch}`;
      expect(ownerOfEpoch.get(key) ?? attempt.node, key).toBe(attempt.node);
      ownerOfEpoch.set(key, attempt.node);
    }
    for (const [actor, count] of accepted) {
      const log = await this.log(db, actor);
      expect(
        log.map(([sequence]) => sequence),
        actor,
      ).toEqual(Array.from({ length: count }, (_, index) => index + 1));
      const epochs = log.map(([, epoch]) => epoch as number);
      expect(epochs, actor).toEqual([...epochs].sort((a, b) => a - b));
      for (const epoch of epochs) {
        expect(ownerOfEpoch.has(`${partitionOf(actor, this.partitions)}@${epoch}`), actor).toBe(
          true,
        );
      }
    }
  }
}
