import {
  ConfigError,
  PantheonError,
  type ScheduledJob,
  type Scheduler,
} from '@promethean-os/pantheon-core';
import {
  invalidArgument,
  requireFinite,
  requireFunction,
} from '@promethean-os/pantheon-core/adapter-kit';
import { nextMacrotask, realDelay } from './internal/real-time';
import { createTestClock, type TestClock } from './test-clock';

/** Options of `createMockScheduler`. */
export interface MockSchedulerOptions {
  /** Virtual start time when no `clock` is given. Default 0. */
  start?: number;
  /** A clock to share with the code under test; the scheduler moves it as time advances. */
  clock?: TestClock;
  /** Called with every error a job throws or rejects with (they are also kept, see `getErrors`). */
  onJobError?: (error: unknown) => void;
}

/** Options of `MockScheduler.runAll`. */
export interface RunAllOptions {
  /** Job runs after which `runAll` gives up with `SCHEDULER_RUNAWAY`. Default 10,000. */
  maxRuns?: number;
}

/**
 * A `Scheduler` on virtual time. Nothing runs until the test moves time with `advance` or
 * `runAll`; it also has `now()`, so one object can be both the orchestrator's `schedule` and
 * its `now`.
 */
export interface MockScheduler extends Scheduler {
  /** The current virtual time in milliseconds. Bound, so `now: scheduler.now` works. */
  now(): number;
  /** Runs `job` every `ms` (> 0); a run that is due while the previous one is still running is skipped. */
  every(ms: number, job: ScheduledJob): () => void;
  /** Runs `job` once after `ms` (>= 0); returns the function that cancels it. */
  once(ms: number, job: ScheduledJob): () => void;
  /**
   * Moves virtual time forward by `ms`, running every job that falls due on the way, in order
   * of due time (then scheduling order), at its due time. Resolves once each of them has run and
   * settled — including jobs that they schedule within the window and the promise chains they
   * start (promise chains, and real I/O or timers that finish within a few milliseconds). A job
   * that waits for a time beyond the window stays pending. Rejects with
   * `SCHEDULER_RUNAWAY` when more than 10,000 jobs run at one instant (zero-delay jobs that keep
   * scheduling each other).
   */
  advance(ms: number): Promise<void>;
  /**
   * Runs every pending one-shot job and whatever they schedule, advancing time to each in turn;
   * `every` jobs run as their times come up on the way. Rejects with `SCHEDULER_RUNAWAY` past
   * `maxRuns` job runs (a job that keeps rescheduling itself).
   */
  runAll(options?: RunAllOptions): Promise<void>;
  /** How many jobs are scheduled: one-shot jobs not yet run or cancelled, plus active `every` jobs. */
  pending(): number;
  /** Errors thrown or rejected by jobs so far; they never stop the scheduler. */
  getErrors(): unknown[];
  /** Cancels every job and forgets the errors; the time stays where it is. */
  reset(): void;
}

const MAX_RUNS_AT_ONE_INSTANT = 10_000;
/** Idle event-loop turns after which running jobs are taken to wait for later virtual time. */
const SETTLE_TURNS = 4;

interface Job {
  due: number;
  seq: number;
  interval: number | undefined;
  run: ScheduledJob;
  running: boolean;
}

/**
 * Creates a virtual-time scheduler for tests.
 *
 * @example
 * const scheduler = createMockScheduler();
 * const orchestrator = makeOrchestrator({ ...ports, now: scheduler.now, schedule: scheduler });
 * const stop = orchestrator.startActorLoop(actor, 60_000);
 * await scheduler.advance(3_600_000); // an hour of loop ticks, in milliseconds of real time
 * stop();
 */
export function createMockScheduler(options: MockSchedulerOptions = {}): MockScheduler {
  if (options.clock !== undefined && options.start !== undefined) {
    throw new ConfigError(
      'createMockScheduler: give either `start` or `clock`, not both (the clock holds the time)',
      { method: 'createMockScheduler' },
      { code: 'INVALID_ARGUMENT' },
    );
  }
  if (options.onJobError !== undefined) {
    requireFunction('createMockScheduler', 'onJobError', options.onJobError);
  }
  const clock = options.clock ?? createTestClock(options.start ?? 0);
  const queue = new Set<Job>();
  const errors: unknown[] = [];
  let seq = 0;
  let inFlight = 0;
  // Bumped whenever a job settles or is scheduled, so `advance` can tell whether giving the
  // event loop another turn still changes anything.
  let progress = 0;
  let runs = 0;
  let advancing: Promise<void> = Promise.resolve();

  function fail(error: unknown): void {
    errors.push(error);
    try {
      options.onJobError?.(error);
    } catch {
      // An observer that throws must not break the scheduler either.
    }
  }

  function schedule(method: string, ms: number, run: ScheduledJob, interval?: number): () => void {
    requireFunction(method, 'job', run);
    const job: Job = { due: clock.now() + ms, seq: seq++, interval, run, running: false };
    queue.add(job);
    progress++;
    return () => {
      if (queue.delete(job)) progress++;
    };
  }

  function nextDue(target: number): Job | undefined {
    let next: Job | undefined;
    for (const job of queue) {
      if (job.due > target) continue;
      if (!next || job.due < next.due || (job.due === next.due && job.seq < next.seq)) next = job;
    }
    return next;
  }

  function start(job: Job): void {
    if (job.interval === undefined) {
      queue.delete(job);
    } else {
      job.due += job.interval;
      job.seq = seq++;
      if (job.running) return;
      job.running = true;
    }
    runs++;
    inFlight++;
    const settle = () => {
      job.running = false;
      inFlight--;
      progress++;
    };
    let result: unknown;
    try {
      result = job.run();
    } catch (error) {
      fail(error);
      settle();
      return;
    }
    Promise.resolve(result).then(settle, (error: unknown) => {
      fail(error);
      settle();
    });
  }

  function runaway(message: string, details: Record<string, unknown>): PantheonError {
    return new PantheonError(`MockScheduler: ${message}`, 'SCHEDULER_RUNAWAY', {
      ...details,
      pending: queue.size,
    });
  }

  async function advanceTo(target: number): Promise<void> {
    let instant = clock.now();
    let runsAtInstant = 0;
    for (;;) {
      await nextMacrotask();
      const next = nextDue(target);
      if (next) {
        if (next.due > clock.now()) clock.set(next.due);
        if (clock.now() !== instant) {
          instant = clock.now();
          runsAtInstant = 0;
        }
        // Only zero-delay jobs that keep scheduling each other can run forever at one instant.
        if (++runsAtInstant > MAX_RUNS_AT_ONE_INSTANT) {
          throw runaway(`more than ${MAX_RUNS_AT_ONE_INSTANT} job runs at time ${instant}`, {
            time: instant,
          });
        }
        start(next);
        continue;
      }
      if (inFlight === 0) break;
      // Jobs are still running: give them event-loop turns (a few short real ones too, for quick
      // real I/O) while that makes progress. Jobs that wait for a timer beyond `target` make none
      // and are left pending.
      const mark = progress;
      for (let turn = 0; progress === mark && turn < SETTLE_TURNS; turn++) {
        await (turn === 0 ? nextMacrotask() : realDelay(1));
      }
      if (progress === mark) break;
    }
    if (target > clock.now()) clock.set(target);
  }

  function serialized(task: () => Promise<void>): Promise<void> {
    const run = advancing.then(task);
    advancing = run.catch(() => {});
    return run;
  }

  return {
    now: () => clock.now(),
    every(ms, job) {
      if (requireFinite('MockScheduler.every', 'ms', ms, 0) === 0) {
        throw invalidArgument('MockScheduler.every', [
          { path: 'ms', message: 'an interval must be greater than 0' },
        ]);
      }
      return schedule('MockScheduler.every', ms, job, ms);
    },
    once(ms, job) {
      requireFinite('MockScheduler.once', 'ms', ms, 0);
      return schedule('MockScheduler.once', ms, job);
    },
    advance(ms) {
      requireFinite('MockScheduler.advance', 'ms', ms, 0);
      return serialized(() => advanceTo(clock.now() + ms));
    },
    runAll({ maxRuns = 10_000 } = {}) {
      requireFinite('MockScheduler.runAll', 'maxRuns', maxRuns, 1);
      return serialized(async () => {
        const limit = runs + maxRuns;
        for (;;) {
          let earliest: number | undefined;
          for (const job of queue) {
            if (job.interval === undefined && (earliest === undefined || job.due < earliest)) {
              earliest = job.due;
            }
          }
          if (earliest === undefined) {
            await advanceTo(clock.now());
            return;
          }
          await advanceTo(Math.max(earliest, clock.now()));
          if (runs > limit) {
            throw runaway(`runAll made more than ${maxRuns} job runs; a job keeps rescheduling`, {
              maxRuns,
            });
          }
        }
      });
    },
    pending: () => queue.size,
    getErrors: () => [...errors],
    reset() {
      queue.clear();
      errors.length = 0;
      progress++;
    },
  };
}
