import type { SqlDriver, SqlStatement } from './sql-driver';

/**
 * The timers the store batches with, taken when the module loads: a test that fakes the global
 * timers afterwards must not stall the database writes and reads it waits for.
 */
export const realTimers = {
  setImmediate: globalThis.setImmediate,
  setTimeout: globalThis.setTimeout,
};

/**
 * Group commit: how the writes of ticks (and stored messages) that arrive together share one
 * database transaction. See `PersistenceOptions.groupCommit`.
 */
export interface GroupCommitOptions {
  /**
   * Milliseconds the first write of an idle store waits for others before its transaction
   * starts. Default `0`: the next turn of the event loop (`setImmediate`), so everything that
   * finished in the same turn goes together and a lone actor waits no timer. While a transaction
   * is being written, arriving writes queue and go in the next one as soon as it is done — the
   * database's own round trip is the window — so a bigger value only helps when ticks finish
   * spread out in time; it adds up to that much latency to every write of an idle store.
   */
  windowMs?: number;
  /** Most writes (ticks, stored messages, publish marks) per transaction. Default 1,000. */
  maxBatch?: number;
}

/**
 * What the store commits all or nothing: a tick, a stored message, publish marks. `guard`, when
 * given, runs first (see `BeginTickOptions.guard`); a unit carrying the same guard as another of
 * its group (same SQL and parameters) may have it run once for both, so a guard must give the
 * same answer when repeated in one transaction.
 */
export interface CommitUnit {
  guard?: SqlStatement;
  statements: readonly SqlStatement[];
}

/**
 * The outcome of one unit of a group: `undefined` when committed, the `mismatch()` error of its
 * failed `expect` (it wrote nothing), or `DEFERRED` when the driver left it for the next
 * transaction (it wrote nothing yet).
 */
export type UnitOutcome = Error | undefined | typeof DEFERRED;

/** A unit the driver did not write in this transaction; the committer queues it again. */
export const DEFERRED = Symbol('deferred');

/**
 * A driver that can commit several units in one transaction, each all or nothing: a unit whose
 * `expect` fails is left out (its writes undone, its outcome the `mismatch()` error) and the
 * others commit (outcome `undefined`). Rejects, writing nothing, when the transaction itself
 * fails.
 */
export interface GroupCommitDriver extends SqlDriver {
  /**
   * `durable: false` (every unit of the group allows it) lets the transaction return before the
   * database flushed its log — a crash of the database server may then lose it.
   */
  commitGroup(units: readonly CommitUnit[], options: { durable: boolean }): Promise<UnitOutcome[]>;
  /**
   * True when `error` came from a statement of the transaction (a constraint, a deadlock or a
   * serialization failure: the database rolled it back for sure), not from the connection or
   * the database being unavailable. Such a group is retried unit by unit, so that one unit's bad
   * data does not fail the others.
   */
  isStatementError(error: unknown): boolean;
}

function isGroupDriver(driver: SqlDriver): driver is GroupCommitDriver {
  return typeof (driver as Partial<GroupCommitDriver>).commitGroup === 'function';
}

/** A unit's statements in order, its guard first. */
export function unitStatements(unit: CommitUnit): readonly SqlStatement[] {
  return unit.guard ? [unit.guard, ...unit.statements] : unit.statements;
}

/** One unit in its own transaction of a plain driver: `undefined`, or its mismatch error. */
async function commitAlone(driver: SqlDriver, unit: CommitUnit): Promise<Error | undefined> {
  const mismatches = new Set<Error>();
  try {
    await driver.batch(
      unitStatements(unit).map((statement) =>
        statement.expect
          ? {
              sql: statement.sql,
              params: statement.params,
              expect: {
                changes: statement.expect.changes,
                mismatch: () => {
                  const error = statement.expect!.mismatch();
                  mismatches.add(error);
                  return error;
                },
              },
            }
          : statement,
      ),
    );
    return undefined;
  } catch (error) {
    if (mismatches.has(error as Error)) return error as Error;
    throw error;
  }
}

interface Unit extends CommitUnit {
  resolve(): void;
  reject(error: unknown): void;
  durable: boolean;
}

/** Reads a group of publish marks waits for at most (see `GroupCommitter.joinLazy`). */
const LAZY_WAITS = 3;

/**
 * Leader/follower group commit over a driver. `submit` queues a unit of statements; when no
 * transaction is being written, one starts after `windowMs` (the next event-loop turn by
 * default) with everything queued by then; units arriving while it runs wait and go together in
 * the next transaction, started as soon as the previous one finished. Each unit's promise
 * settles only once its transaction committed (or failed), so a resolved unit is durable.
 */
export class GroupCommitter {
  private queue: Unit[] = [];
  private flushing: Promise<void> | undefined;
  private readonly windowMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly driver: SqlDriver,
    options: GroupCommitOptions | false = {},
    /**
     * Resolves once the store's reads under way are answered (`undefined` when none is): ticks
     * that read now commit soon, so a group of writes that need not be durable waits for them.
     */
    private readonly readsDone: () => Promise<void> | undefined = () => undefined,
  ) {
    const settings = options === false ? { maxBatch: 1 } : options;
    this.windowMs = Math.max(0, settings.windowMs ?? 0);
    // A plain driver commits one unit per transaction.
    this.maxBatch = isGroupDriver(driver) ? Math.max(1, Math.floor(settings.maxBatch ?? 1000)) : 1;
  }

  /**
   * Commits `statements` as one unit, all or nothing, together with other units: resolves once
   * committed; rejects with the `mismatch()` error of a failed `expect` (the unit then wrote
   * nothing, the others of its group are unaffected) or with the database's error.
   * `durable: false` is for writes a crash of the database server may forget (publish marks):
   * a group of such writes only does not wait for the log flush. `guard` runs first (see
   * `CommitUnit`).
   */
  submit(
    statements: readonly SqlStatement[],
    { durable = true, guard }: { durable?: boolean; guard?: SqlStatement } = {},
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ statements, guard, resolve, reject, durable });
      if (!this.flushing) this.flushing = this.flushSoon();
    });
  }

  /** Resolves once every unit submitted so far has settled. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushSoon(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.windowMs > 0) realTimers.setTimeout(resolve, this.windowMs);
      else realTimers.setImmediate(resolve);
    });
    try {
      while (this.queue.length > 0) {
        await this.joinLazy();
        const units = this.queue.splice(0, this.maxBatch);
        await this.commit(units);
        // One turn of the event loop, so that what the committed units' callers write next
        // (publish marks, the next messages) joins the next transaction.
        if (this.maxBatch > 1)
          await new Promise<void>((resolve) => realTimers.setImmediate(resolve));
      }
    } finally {
      this.flushing = undefined;
      if (this.queue.length > 0) this.flushing = this.flushSoon();
    }
  }

  /**
   * When every queued write may skip the log flush (publish marks), waits for the reads under
   * way — a tick reads its actor, then its history, then commits — so that the marks share the
   * transaction of the commits that follow rather than take one of their own. A few reads at
   * most: the marks are not held back behind a steady stream of reads.
   */
  private async joinLazy(): Promise<void> {
    for (let waits = 0; waits < LAZY_WAITS; waits++) {
      if (this.queue.some((unit) => unit.durable)) return;
      const reads = this.readsDone();
      if (!reads) return;
      await reads;
      await new Promise<void>((resolve) => realTimers.setImmediate(resolve));
    }
  }

  private async commit(units: Unit[]): Promise<void> {
    let outcomes: UnitOutcome[];
    try {
      outcomes = await this.commitGroup(
        units,
        units.some((unit) => unit.durable),
      );
    } catch (error) {
      if (units.length > 1 && isGroupDriver(this.driver) && this.driver.isStatementError(error)) {
        // Rolled back for sure: find the unit at fault by committing each on its own.
        for (const unit of units) await this.commit([unit]);
        return;
      }
      for (const unit of units) unit.reject(error);
      return;
    }
    const deferred: Unit[] = [];
    units.forEach((unit, index) => {
      const outcome = outcomes[index];
      if (outcome === DEFERRED) deferred.push(unit);
      else if (outcome) unit.reject(outcome);
      else unit.resolve();
    });
    // Ahead of what arrived meanwhile, in their order.
    this.queue.unshift(...deferred);
  }

  private async commitGroup(units: readonly Unit[], durable: boolean): Promise<UnitOutcome[]> {
    if (isGroupDriver(this.driver)) return this.driver.commitGroup(units, { durable });
    return [await commitAlone(this.driver, units[0]!)];
  }
}
