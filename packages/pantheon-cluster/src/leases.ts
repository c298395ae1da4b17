import type { PantheonError } from '@promethean-os/pantheon-core';
import type { BulkKind, Persistence, SqlStatement } from '@promethean-os/pantheon-persistence';

/** A partition this process owns: its number and the fencing epoch it took it at. */
export interface Lease {
  partition: number;
  epoch: number;
}

type Driver = Persistence['driver'];

const TABLES = [
  `CREATE TABLE IF NOT EXISTS pantheon_cluster_leases (
    cluster TEXT NOT NULL, partition INTEGER NOT NULL, owner TEXT, epoch BIGINT NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (cluster, partition))`,
  `CREATE TABLE IF NOT EXISTS pantheon_cluster_nodes (
    cluster TEXT NOT NULL, node TEXT NOT NULL, seen_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (cluster, node))`,
  `CREATE TABLE IF NOT EXISTS pantheon_cluster_actors (
    cluster TEXT NOT NULL, actor_id TEXT NOT NULL, started BOOLEAN NOT NULL,
    PRIMARY KEY (cluster, actor_id))`,
  // The idle-tick interval of a started actor (`startActor(id, { intervalMs })`).
  'ALTER TABLE pantheon_cluster_actors ADD COLUMN IF NOT EXISTS interval_ms INTEGER',
];

/** An actor marked started for the whole cluster, with its idle-tick interval if it has one. */
export interface StartedActor {
  id: string;
  intervalMs?: number;
}

const FENCE_SQL = `SELECT 1 FROM pantheon_cluster_leases
  WHERE cluster = ? AND partition = ? AND owner = ? AND epoch = ? FOR KEY SHARE`;

/**
 * The lease fence as rows (`<partition>:<epoch>`, cluster, partition, owner, epoch), so that a
 * group commit holding the ticks of several partitions checks all their leases in one statement;
 * a row not found fails the units it guards.
 */
const LEASE_FENCE: BulkKind = {
  name: 'cluster-lease-fence',
  types: ['text', 'text', 'integer', 'text', 'bigint'],
  checked: true,
  plain: (rows) => ({ sql: FENCE_SQL, params: rows[0]!.slice(1) }),
  merged: [
    'SELECT fence.key FROM pantheon_cluster_leases AS leases JOIN (VALUES ',
    `) AS fence (key, cluster, partition, owner, epoch)
      ON leases.cluster = fence.cluster AND leases.partition = fence.partition
      AND leases.owner = fence.owner AND leases.epoch = fence.epoch
      FOR KEY SHARE OF leases`,
  ],
};

/**
 * Partition leases in PostgreSQL: one row per partition with its owner, a fencing epoch that
 * grows at every change of owner, and an expiry in database time (no clock of a process counts).
 * A process renews its leases while alive; a lease that expired is free to take. A tick commits
 * only while the lease row still holds the owner and epoch the partition was taken at (`fence`),
 * checked inside the commit's transaction.
 */
export class LeaseTable {
  constructor(
    private readonly driver: Driver,
    private readonly cluster: string,
    private readonly node: string,
    private readonly leaseMs: number,
  ) {}

  /** Creates the tables (once per database, serialized by an advisory lock) and the partition rows. */
  async install(partitions: number): Promise<void> {
    await this.driver.batch([
      { sql: "SELECT pg_advisory_xact_lock(hashtext('pantheon-cluster-install'))", params: [] },
      ...TABLES.map((sql) => ({ sql, params: [] })),
      {
        sql: `INSERT INTO pantheon_cluster_leases (cluster, partition)
          SELECT ?, g FROM generate_series(0, ?::int - 1) AS g ON CONFLICT DO NOTHING`,
        params: [this.cluster, partitions],
      },
    ]);
  }

  /** Records that this process is alive; resolves how many processes are (this one included). */
  async heartbeat(): Promise<number> {
    await this.driver.run(
      `INSERT INTO pantheon_cluster_nodes (cluster, node, seen_at) VALUES (?, ?, clock_timestamp())
        ON CONFLICT (cluster, node) DO UPDATE SET seen_at = clock_timestamp()`,
      [this.cluster, this.node],
    );
    const rows = await this.driver.all<{ alive: number | string }>(
      `SELECT COUNT(*) AS alive FROM pantheon_cluster_nodes
        WHERE cluster = ? AND seen_at > clock_timestamp() - (?::int * interval '1 millisecond')`,
      [this.cluster, this.leaseMs],
    );
    return Math.max(1, Number(rows[0]?.alive ?? 1));
  }

  /**
   * Extends the leases this process runs (`running`: the partitions with the epochs it took them
   * at); resolves those it still holds. A row naming this process that it does not run (left by
   * an earlier process with the same node id) is not renewed: it expires and is taken again.
   */
  async renew(running: Lease[]): Promise<Lease[]> {
    if (running.length === 0) return [];
    const rows = await this.driver.all<{ partition: number; epoch: number | string }>(
      `UPDATE pantheon_cluster_leases
        SET expires_at = clock_timestamp() + (?::int * interval '1 millisecond')
        WHERE cluster = ? AND owner = ?
          AND partition || ':' || epoch = ANY(string_to_array(?, ','))
        RETURNING partition, epoch`,
      [
        this.leaseMs,
        this.cluster,
        this.node,
        running.map((lease) => `${lease.partition}:${lease.epoch}`).join(','),
      ],
    );
    return rows.map(toLease);
  }

  /**
   * Takes up to `count` free or expired partitions, never one of `running` (this process's own,
   * even when their lease ran out: the heartbeat finds those lost or renews them); each gets a
   * new epoch.
   */
  async acquire(count: number, running: Lease[]): Promise<Lease[]> {
    if (count <= 0) return [];
    const rows = await this.driver.all<{ partition: number; epoch: number | string }>(
      `UPDATE pantheon_cluster_leases AS lease
        SET owner = ?, epoch = lease.epoch + 1,
          expires_at = clock_timestamp() + (?::int * interval '1 millisecond')
        FROM (SELECT partition FROM pantheon_cluster_leases
          WHERE cluster = ? AND (owner IS NULL OR expires_at < clock_timestamp())
            AND NOT (partition = ANY(string_to_array(?, ',')::int[]))
          ORDER BY partition LIMIT ?::int FOR UPDATE SKIP LOCKED) AS free
        WHERE lease.cluster = ? AND lease.partition = free.partition
        RETURNING lease.partition, lease.epoch`,
      [
        this.node,
        this.leaseMs,
        this.cluster,
        running.map((lease) => lease.partition).join(','),
        count,
        this.cluster,
      ],
    );
    return rows.map(toLease);
  }

  /** Gives a partition back (after its work was handed over), free for others at once. */
  async release(lease: Lease): Promise<void> {
    await this.driver.run(
      `UPDATE pantheon_cluster_leases SET owner = NULL, expires_at = clock_timestamp()
        WHERE cluster = ? AND partition = ? AND owner = ? AND epoch = ?`,
      [this.cluster, lease.partition, this.node, lease.epoch],
    );
  }

  /** Forgets this process (on shutdown), so the others count one process less at once. */
  async leave(): Promise<void> {
    await this.driver.run('DELETE FROM pantheon_cluster_nodes WHERE cluster = ? AND node = ?', [
      this.cluster,
      this.node,
    ]);
  }

  /**
   * The fence of a tick's commit: matches the lease row against the owner and epoch and holds it
   * (`FOR KEY SHARE`) until the commit ends; any other outcome rejects the commit with `lost()`.
   * The lock lets renewals through (they change no key) and concurrent ticks (shared), so
   * neither waits for a tick nor deadlocks with one, but not a takeover (`FOR UPDATE` in
   * `acquire`, which skips the row while a tick holds it).
   */
  fence(
    lease: Lease,
    lost: () => PantheonError,
  ): SqlStatement & {
    expect: NonNullable<SqlStatement['expect']>;
  } {
    const params = [this.cluster, lease.partition, this.node, lease.epoch];
    return {
      sql: FENCE_SQL,
      params,
      expect: { changes: 1, mismatch: lost },
      bulk: { kind: LEASE_FENCE, rows: [[`${lease.partition}:${lease.epoch}`, ...params]] },
    };
  }

  /**
   * Marks an actor started (with `intervalMs`, unless it is started already: as
   * `PantheonSystem.startActor`, starting a started actor changes nothing) or stopped for the
   * whole cluster; its owner starts it on takeover.
   */
  async setStarted(actorId: string, started: boolean, intervalMs?: number): Promise<void> {
    await this.driver.run(
      `INSERT INTO pantheon_cluster_actors (cluster, actor_id, started, interval_ms)
        VALUES (?, ?, ?::boolean, ?::integer)
        ON CONFLICT (cluster, actor_id) DO UPDATE SET
          interval_ms = CASE WHEN pantheon_cluster_actors.started AND EXCLUDED.started
            THEN pantheon_cluster_actors.interval_ms ELSE EXCLUDED.interval_ms END,
          started = EXCLUDED.started`,
      [this.cluster, actorId, started ? 'true' : 'false', intervalMs ?? null],
    );
  }

  /** Every actor marked started. */
  async startedActors(): Promise<StartedActor[]> {
    const rows = await this.driver.all<{ actor_id: string; interval_ms: number | null }>(
      'SELECT actor_id, interval_ms FROM pantheon_cluster_actors WHERE cluster = ? AND started',
      [this.cluster],
    );
    return rows.map((row) =>
      row.interval_ms === null
        ? { id: row.actor_id }
        : { id: row.actor_id, intervalMs: Number(row.interval_ms) },
    );
  }

  /** The process holding each partition's live lease (an expired one counts as no owner). */
  async owners(): Promise<Map<number, string>> {
    const rows = await this.driver.all<{ partition: number; owner: string }>(
      `SELECT partition, owner FROM pantheon_cluster_leases
        WHERE cluster = ? AND owner IS NOT NULL AND expires_at > clock_timestamp()`,
      [this.cluster],
    );
    return new Map(rows.map((row) => [Number(row.partition), row.owner]));
  }

  /** Messages stored and not yet handled, by actor (actors without any are absent). */
  async pendingCounts(): Promise<Map<string, number>> {
    const rows = await this.driver.all<{ recipient: string; pending: number | string }>(
      `SELECT recipient, COUNT(*) AS pending FROM pantheon_mailbox
        WHERE acked_at IS NULL GROUP BY recipient`,
    );
    return new Map(rows.map((row) => [row.recipient, Number(row.pending)]));
  }
}

function toLease(row: { partition: number; epoch: number | string }): Lease {
  return { partition: Number(row.partition), epoch: Number(row.epoch) };
}
