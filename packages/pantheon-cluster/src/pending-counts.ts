import type { Persistence } from '@promethean-os/pantheon-persistence';

/** Taken when the module loads, so that a test faking the global timers cannot stall counting. */
const immediate = globalThis.setImmediate;

interface Waiter {
  resolve(count: number): void;
  reject(error: unknown): void;
}

/**
 * How many messages each actor's durable mailbox holds unhandled, for the `MAILBOX_FULL` check
 * of `sendMessage`. The counts asked for in the same turn of the event loop are answered by one
 * query — a burst of sends costs one round trip, not one per send — and each is what the
 * database held when that query ran, as if it had been asked alone. A failed query rejects each
 * of its counts with the driver's error.
 */
export class PendingCounts {
  private waiting: Map<string, Waiter[]> | undefined;

  constructor(private readonly driver: Persistence['driver']) {}

  count(actorId: string): Promise<number> {
    return new Promise((resolve, reject) => {
      if (!this.waiting) {
        this.waiting = new Map();
        immediate(() => this.flush());
      }
      const waiters = this.waiting.get(actorId);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(actorId, [{ resolve, reject }]);
    });
  }

  private flush(): void {
    const batch = this.waiting!;
    this.waiting = undefined;
    this.driver
      .all<{ recipient: string; pending: number | string }>(
        `SELECT recipient, COUNT(*) AS pending FROM pantheon_mailbox
          WHERE acked_at IS NULL AND recipient IN (SELECT json_array_elements_text(?::json))
          GROUP BY recipient`,
        [JSON.stringify([...batch.keys()])],
      )
      .then(
        (rows) => {
          const counts = new Map(rows.map((row) => [row.recipient, Number(row.pending)]));
          for (const [actorId, waiters] of batch)
            for (const waiter of waiters) waiter.resolve(counts.get(actorId) ?? 0);
        },
        (error: unknown) => {
          for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
        },
      );
  }
}
