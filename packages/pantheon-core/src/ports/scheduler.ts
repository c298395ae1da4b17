/** A job run by the scheduler. */
export type ScheduledJob = () => void | Promise<void>;

/**
 * Runs jobs later. Everything in Pantheon that waits goes through this port, so tests can drive
 * time virtually.
 */
export interface Scheduler {
  /** Runs `job` every `ms`; a run never starts while the previous one is still running. */
  every(ms: number, job: ScheduledJob): () => void;
  /** Runs `job` once after `ms`; returns a cancel function (seed adapters may return nothing). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a seed scheduler's `once` returns void.
  once(ms: number, job: ScheduledJob): (() => void) | void;
}
