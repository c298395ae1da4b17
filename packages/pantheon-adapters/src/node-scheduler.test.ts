import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeScheduler } from './node-scheduler';

afterEach(() => {
  vi.useRealTimers();
});

describe('NodeScheduler', () => {
  it('runs once jobs after their delay and cancels them', async () => {
    vi.useFakeTimers();
    const scheduler = new NodeScheduler();
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
    const scheduler = new NodeScheduler();
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
    const scheduler = new NodeScheduler({ onError });
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
});
