import { ConfigError, type ScheduledJob, type Scheduler } from '@promethean-os/pantheon-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { realDelay } from '../internal/real-time';
import { expectPantheonError } from './support';

/**
 * A scheduler under test and how to let its time pass. For a real-time scheduler use
 * `realTimeHarness(scheduler)` (short real waits); for a virtual one, `advance` moves its clock
 * and `exact: true` makes the suite check exact run counts and times.
 */
export interface SchedulerHarness<S extends Scheduler = Scheduler> {
  scheduler: S;
  /** Lets `ms` of the scheduler's time pass; resolves once the jobs due by then have run. */
  advance(ms: number): Promise<void>;
  /** `true` when `advance` is exact (virtual time): counts and times are then checked exactly. */
  exact?: boolean;
  /** Releases the scheduler after each test (the suite already stops every job it started). */
  cleanup?(): void | Promise<void>;
}

/** Options of `realTimeHarness`. */
export interface RealTimeHarnessOptions {
  /** Extra real time each `advance` waits, for timer latency. Default 15 ms. */
  slackMs?: number;
  /** Releases the scheduler after each test. */
  cleanup?(): void | Promise<void>;
}

/**
 * A harness for a scheduler on real timers: `advance(ms)` waits `ms` plus a little slack.
 *
 * @example
 * describeSchedulerContract('NodeScheduler', () => realTimeHarness(new NodeScheduler()));
 */
export function realTimeHarness<S extends Scheduler>(
  scheduler: S,
  options: RealTimeHarnessOptions = {},
): SchedulerHarness<S> {
  const slack = options.slackMs ?? 15;
  const harness: SchedulerHarness<S> = {
    scheduler,
    advance: (ms) => realDelay(ms + slack),
  };
  if (options.cleanup) harness.cleanup = options.cleanup;
  return harness;
}

/**
 * A harness for a virtual-time scheduler that has `advance(ms)`, such as `createMockScheduler()`:
 * run counts and times are checked exactly.
 *
 * @example
 * describeSchedulerContract('MockScheduler', () => virtualTimeHarness(createMockScheduler()));
 */
export function virtualTimeHarness<S extends Scheduler & { advance(ms: number): Promise<void> }>(
  scheduler: S,
): SchedulerHarness<S> {
  return { scheduler, advance: (ms) => scheduler.advance(ms), exact: true };
}

/** The unit of time of the suite's schedules: long enough for real timers, cheap in virtual time. */
const T = 40;

/**
 * Registers the `Scheduler` contract for an adapter: `once` runs a job once after its delay (not
 * before) and returns a working cancel function; jobs run in due order (scheduling order for
 * equal delays); `every` repeats until stopped (also from inside the job) and never overlaps runs
 * of the same job; jobs scheduled by jobs run; async jobs are awaited; a failing job (throw or
 * rejection) stops neither its `every` nor other jobs; a non-function job and an invalid delay
 * are a `ConfigError` `INVALID_ARGUMENT` at the call. The factory returns a `SchedulerHarness`; jobs the suite starts
 * are stopped after each test. Real-time schedulers take about 2 s for the suite.
 *
 * @example
 * describeSchedulerContract('NodeScheduler', () => realTimeHarness(new NodeScheduler()));
 * describeSchedulerContract('MockScheduler', () => virtualTimeHarness(createMockScheduler()));
 */
export function describeSchedulerContract<S extends Scheduler>(
  name: string,
  factory: () => SchedulerHarness<S> | Promise<SchedulerHarness<S>>,
): void {
  describe(`Scheduler contract: ${name}`, () => {
    let harness: SchedulerHarness<S>;
    let stops: (() => void)[] = [];
    let exact = false;

    beforeEach(async () => {
      harness = await factory();
      exact = harness.exact === true;
      stops = [];
    });
    afterEach(async () => {
      for (const stop of stops) stop();
      await harness.cleanup?.();
    });

    const clock = () => performance.now();
    const every = (ms: number, job: ScheduledJob) => {
      const stop = harness.scheduler.every(ms, job);
      stops.push(stop);
      return stop;
    };
    const once = (ms: number, job: ScheduledJob) => {
      const cancel = harness.scheduler.once(ms, job);
      if (typeof cancel === 'function') stops.push(cancel);
      return cancel;
    };
    const advance = (ms: number) => harness.advance(ms);

    it('runs a `once` job once, after its delay and not before', async () => {
      const scheduledAt = clock();
      const runs: number[] = [];
      once(2 * T, () => {
        runs.push(clock());
      });
      if (exact) {
        await advance(2 * T - 1);
        expect(runs).toHaveLength(0);
      }
      await advance(3 * T);
      expect(runs).toHaveLength(1);
      if (!exact) expect(runs[0]! - scheduledAt).toBeGreaterThanOrEqual(2 * T - 2);
      await advance(2 * T);
      expect(runs).toHaveLength(1);
    });

    it('runs jobs in due order, and equal delays in scheduling order', async () => {
      const order: string[] = [];
      const record = (label: string) => () => {
        order.push(label);
      };
      once(3 * T, record('a'));
      once(T, record('b'));
      once(2 * T, record('c'));
      once(T, record('d'));
      await advance(4 * T);
      expect(order).toEqual(['b', 'd', 'c', 'a']);
    });

    it('returns a cancel function from `once` that prevents the run', async () => {
      let ran = false;
      const cancel = once(T, () => {
        ran = true;
      });
      expect(typeof cancel).toBe('function');
      (cancel as () => void)();
      (cancel as () => void)();
      await advance(2 * T);
      expect(ran).toBe(false);
    });

    it('repeats an `every` job until stopped', async () => {
      let runs = 0;
      const stop = every(T, () => {
        runs++;
      });
      await advance(3 * T + T / 2);
      if (exact) expect(runs).toBe(3);
      else expect(runs).toBeGreaterThanOrEqual(2);
      stop();
      const stoppedAt = runs;
      await advance(3 * T);
      expect(runs).toBe(stoppedAt);
    });

    it('lets a job stop its own `every`', async () => {
      let runs = 0;
      const stop = every(T, () => {
        runs++;
        if (runs === 2) stop();
      });
      await advance(6 * T);
      expect(runs).toBe(2);
    });

    it('never overlaps runs of the same `every` job', async () => {
      let running = 0;
      let maxRunning = 0;
      let runs = 0;
      every(T, async () => {
        runs++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => once(2.5 * T, resolve));
        running--;
      });
      await advance(10 * T);
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(maxRunning).toBe(1);
    });

    it('runs jobs that jobs schedule', async () => {
      const order: string[] = [];
      once(T, () => {
        order.push('outer');
        once(T, () => {
          order.push('inner');
        });
      });
      await advance(3 * T);
      expect(order).toEqual(['outer', 'inner']);
    });

    it('waits for async jobs to settle', async () => {
      let settled = false;
      once(T, async () => {
        await Promise.resolve();
        await new Promise((resolve) => setTimeout(resolve, 0));
        settled = true;
      });
      await advance(2 * T);
      expect(settled).toBe(true);
    });

    it('keeps a failing job from stopping its `every` or other jobs', async () => {
      let throwing = 0;
      let rejecting = 0;
      let healthy = false;
      every(T, () => {
        throwing++;
        throw new Error('job crashed');
      });
      every(T, async () => {
        rejecting++;
        throw new Error('job rejected');
      });
      once(2 * T, () => {
        healthy = true;
      });
      await advance(4 * T);
      expect(throwing).toBeGreaterThanOrEqual(2);
      expect(rejecting).toBeGreaterThanOrEqual(2);
      expect(healthy).toBe(true);
    });

    it('rejects a job that is not a function, at the call, with INVALID_ARGUMENT', () => {
      for (const schedule of [
        () => harness.scheduler.once(T, 'job' as unknown as ScheduledJob),
        () => harness.scheduler.every(T, undefined as unknown as ScheduledJob),
      ]) {
        let thrown: unknown;
        try {
          schedule();
        } catch (error) {
          thrown = error;
        }
        expectPantheonError(thrown, 'INVALID_ARGUMENT', ConfigError);
      }
    });

    it('rejects an invalid delay, at the call, with INVALID_ARGUMENT', () => {
      for (const schedule of [
        () => harness.scheduler.every(0, () => {}),
        () => harness.scheduler.every(Number.NaN, () => {}),
        () => harness.scheduler.once(-1, () => {}),
        () => harness.scheduler.once(Number.POSITIVE_INFINITY, () => {}),
      ]) {
        let thrown: unknown;
        try {
          const stop = schedule();
          if (typeof stop === 'function') stops.push(stop);
        } catch (error) {
          thrown = error;
        }
        expectPantheonError(thrown, 'INVALID_ARGUMENT', ConfigError);
      }
    });
  });
}
