import { ConfigError, type ScheduledJob, type Scheduler } from '@promethean-os/pantheon-core';

function checkJob(method: string, ms: number, job: ScheduledJob, delayOk: boolean): void {
  if (typeof job !== 'function') {
    throw new ConfigError(
      `${method}() needs a job function`,
      { received: typeof job },
      { code: 'INVALID_ARGUMENT' },
    );
  }
  if (!Number.isFinite(ms) || !delayOk) {
    throw new ConfigError(
      `${method}() got an invalid delay: ${ms} ms`,
      { ms },
      { code: 'INVALID_ARGUMENT' },
    );
  }
}

/** Options of `NodeScheduler`. */
export interface NodeSchedulerOptions {
  /** Called when a job throws or rejects; defaults to `console.error`. */
  onError?: (error: unknown) => void;
}

/**
 * A real-time scheduler on the host's timers (Node, browsers, edge runtimes). `every` skips a
 * beat rather than start a run while the previous one is still running. A job that is not a
 * function or an invalid delay is a `ConfigError` `INVALID_ARGUMENT` at the call.
 */
export class NodeScheduler implements Scheduler {
  private readonly cancels = new Set<() => void>();
  private readonly onError: (error: unknown) => void;

  constructor(options: NodeSchedulerOptions = {}) {
    this.onError =
      options.onError ?? ((error) => console.error('[pantheon] scheduled job failed', error));
  }

  every(ms: number, job: ScheduledJob): () => void {
    checkJob('every', ms, job, ms > 0);
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.run(job).finally(() => {
        running = false;
      });
    }, ms);
    return this.track(() => clearInterval(timer));
  }

  once(ms: number, job: ScheduledJob): () => void {
    checkJob('once', ms, job, ms >= 0);
    const cancel = this.track(() => clearTimeout(timer));
    const timer = setTimeout(() => {
      cancel();
      void this.run(job);
    }, ms);
    return cancel;
  }

  /** Cancels every pending job. */
  stopAll(): void {
    for (const cancel of [...this.cancels]) cancel();
  }

  /** How many jobs are scheduled. */
  get pendingCount(): number {
    return this.cancels.size;
  }

  private track(clear: () => void): () => void {
    const cancel = () => {
      clear();
      this.cancels.delete(cancel);
    };
    this.cancels.add(cancel);
    return cancel;
  }

  private async run(job: ScheduledJob): Promise<void> {
    try {
      await job();
    } catch (error) {
      this.onError(error);
    }
  }
}
