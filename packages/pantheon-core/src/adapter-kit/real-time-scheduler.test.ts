import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../errors';
import { RealTimeScheduler, type SchedulerTimers } from './real-time-scheduler';

afterEach(() => {
  vi.useRealTimers();
});

describe('RealTimeScheduler', () => {
  it('runs once jobs after their delay and cancels them', async () => {
    vi.useFakeTimers();
    const scheduler = new RealTimeScheduler();
    const runs: string[] = [];
    scheduler.once(100, () => {
      runs.push('a');
    });
    const cancel = scheduler.once(50, () => {
      runs.push('cancelled');
    });
    cancel();
    expect(scheduler.pendingCount).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toEqual(['a']);
    expect(scheduler.pendingCount).toBe(0);
  });

  it('never overlaps runs of the same every job', async () => {
    vi.useFakeTimers();
    const scheduler = new RealTimeScheduler();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const stop = scheduler.every(10, async () => {
      running++;
      runs++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 25));
      running--;
    });
    // Runs start at 10, 40, 70 and 100 ms: the beats at 20, 30, 50, 60, 80 and 90 are skipped.
    await vi.advanceTimersByTimeAsync(100);
    stop();
    expect(maxRunning).toBe(1);
    expect(runs).toBe(4);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(4);
  });

  it('reports failing jobs and keeps running the others; stopAll cancels everything', async () => {
    vi.useFakeTimers();
    const onError = vi.fn();
    const scheduler = new RealTimeScheduler({ onError });
    let ticks = 0;
    scheduler.every(10, () => {
      ticks++;
      throw new Error('job failed');
    });
    scheduler.once(1000, () => {
      ticks += 100;
    });
    await vi.advanceTimersByTimeAsync(30);
    expect(ticks).toBe(3);
    expect(onError).toHaveBeenCalledTimes(3);
    scheduler.stopAll();
    expect(scheduler.pendingCount).toBe(0);
    await vi.advanceTimersByTimeAsync(2000);
    expect(ticks).toBe(3);
  });

  it('runs on the timers it is given, cancelling through them', async () => {
    const pending = new Map<number, () => void>();
    let next = 0;
    const timers: SchedulerTimers = {
      setTimeout: (callback) => {
        pending.set(++next, callback);
        return next;
      },
      clearTimeout: (handle) => pending.delete(handle as number),
      setInterval: (callback) => {
        pending.set(++next, callback);
        return next;
      },
      clearInterval: (handle) => pending.delete(handle as number),
    };
    const scheduler = new RealTimeScheduler({ timers });
    const runs: string[] = [];
    scheduler.once(1_000, () => {
      runs.push('once');
    });
    const stop = scheduler.every(10, () => {
      runs.push('every');
    });
    expect(pending.size).toBe(2);
    for (const callback of [...pending.values()]) callback();
    await Promise.resolve();
    expect(runs).toEqual(['once', 'every']);
    expect(pending.size).toBe(1);
    stop();
    expect(pending.size).toBe(0);
    expect(scheduler.pendingCount).toBe(0);
  });

  it('rejects a job that is not a function and an invalid delay with INVALID_ARGUMENT', () => {
    const scheduler = new RealTimeScheduler();
    const codeOf = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return ConfigError.isInstance(error) ? error.code : 'not a ConfigError';
      }
      return 'no error';
    };
    expect(codeOf(() => scheduler.once(10, 'job' as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => scheduler.once(-1, () => {}))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => scheduler.once(Number.NaN, () => {}))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => scheduler.every(0, () => {}))).toBe('INVALID_ARGUMENT');
    expect(() => scheduler.every(Number.POSITIVE_INFINITY, () => {})).toThrow(
      /^Scheduler\.every: ms: expected a finite number >= 0, received Infinity$/,
    );
    expect(scheduler.pendingCount).toBe(0);
  });
});
