import { describe, expect, it, vi } from 'vitest';
import { backgroundScheduler } from './background-scheduler';

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('backgroundScheduler (the default timers of a store)', () => {
  it('repeats a job without overlapping its runs, survives a failing run, and stops', async () => {
    const scheduler = backgroundScheduler();
    let running = 0;
    let overlapped = false;
    let runs = 0;
    const stop = scheduler.every(5, async () => {
      runs++;
      overlapped ||= running > 0;
      running++;
      await sleep(15);
      running--;
      if (runs === 1) throw new Error('database is locked');
    });
    // Waits for runs, not for a time: a loaded machine may run the timers late.
    await vi.waitFor(() => expect(runs).toBeGreaterThan(2), { timeout: 5_000, interval: 5 });
    stop();
    const stoppedAt = runs;
    await sleep(40);
    expect(overlapped).toBe(false);
    expect(runs).toBe(stoppedAt);
  });

  it('runs a job once after its delay, unless cancelled', async () => {
    const scheduler = backgroundScheduler();
    const ran: string[] = [];
    scheduler.once(5, () => {
      ran.push('kept');
    });
    const cancel = scheduler.once(5, () => {
      ran.push('cancelled');
    });
    cancel?.();
    await sleep(30);
    expect(ran).toEqual(['kept']);
  });

  it('never keeps the process alive', () => {
    const before = timers();
    const scheduler = backgroundScheduler();
    const stop = scheduler.every(60_000, () => {});
    const cancel = scheduler.once(60_000, () => {});
    expect(timers()).toBe(before);
    stop();
    cancel?.();
  });
});
