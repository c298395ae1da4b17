import type { ScheduledJob, Scheduler } from '@promethean-os/pantheon-core';

/** A timer that does not keep the process alive (Node's `unref`, where there is one). */
function background<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** Runs `job`, dropping its failure: a store's background job reports nothing to a caller. */
async function quietly(job: ScheduledJob): Promise<void> {
  try {
    await job();
  } catch {
    // The job handles its own failures (a failed prune is retried at the next interval).
  }
}

/**
 * The `Scheduler` a store uses for its timers when `PersistenceOptions.scheduler` is not given:
 * real timers that never keep the process alive, so an open store does not stop it from exiting.
 * `every` never overlaps runs of the same job.
 */
export function backgroundScheduler(): Scheduler {
  return {
    every(ms: number, job: ScheduledJob): () => void {
      let running = false;
      const timer = background(
        setInterval(() => {
          if (running) return;
          running = true;
          void quietly(job).finally(() => {
            running = false;
          });
        }, ms),
      );
      return () => clearInterval(timer);
    },
    once(ms: number, job: ScheduledJob): () => void {
      const timer = background(setTimeout(() => void quietly(job), ms));
      return () => clearTimeout(timer);
    },
  };
}
