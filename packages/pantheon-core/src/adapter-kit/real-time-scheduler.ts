import type { ScheduledJob, Scheduler } from '../ports/scheduler';
import { invalidArgument, requireFinite, requireFunction } from './invalid-argument';

/**
 * The host timers a `RealTimeScheduler` runs on. They are called as methods of this object, so
 * `globalThis` itself is a valid value.
 */
export interface SchedulerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Options of `RealTimeScheduler`. */
export interface RealTimeSchedulerOptions {
  /** Called when a job throws or rejects; defaults to `console.error`. */
  onError?: (error: unknown) => void;
  /**
   * The timers to run on. Default: the host's global timers, looked up at each call, so a test
   * that installs fake timers (`vi.useFakeTimers()`) drives the scheduler.
   */
  timers?: SchedulerTimers;
}

// Looked up at each call rather than captured, and called as plain functions: browsers reject a
// `setTimeout` called on another object.
const hostTimers: SchedulerTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
  clearInterval: (handle) => globalThis.clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * A `Scheduler` in real time on the host's timers (Node, browsers, edge runtimes). `every` skips
 * a beat rather than start a run while the previous one is still running; a failing job goes to
 * `onError` and stops nothing else. A job that is not a function or an invalid delay is a
 * `ConfigError` `INVALID_ARGUMENT` at the call. Adapters' `NodeScheduler` is this class.
 */
export class RealTimeScheduler implements Scheduler {
  private readonly cancels = new Set<() => void>();
  private readonly onError: (error: unknown) => void;
  private readonly timers: SchedulerTimers;

  constructor(options: RealTimeSchedulerOptions = {}) {
    this.onError =
      options.onError ?? ((error) => console.error('[pantheon] scheduled job failed', error));
    this.timers = options.timers ?? hostTimers;
  }

  every(ms: number, job: ScheduledJob): () => void {
    requireFunction('Scheduler.every', 'job', job);
    if (requireFinite('Scheduler.every', 'ms', ms, 0) === 0) {
      throw invalidArgument('Scheduler.every', [
        { path: 'ms', message: 'an interval must be greater than 0' },
      ]);
    }
    let running = false;
    const timer = this.timers.setInterval(() => {
      if (running) return;
      running = true;
      this.run(job).finally(() => {
        running = false;
      });
    }, ms);
    return this.track(() => this.timers.clearInterval(timer));
  }

  once(ms: number, job: ScheduledJob): () => void {
    requireFunction('Scheduler.once', 'job', job);
    requireFinite('Scheduler.once', 'ms', ms, 0);
    const cancel = this.track(() => this.timers.clearTimeout(timer));
    const timer = this.timers.setTimeout(() => {
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
