import type { Scheduler } from '@promethean-os/pantheon-core';
import { invalidArgument, requireFinite, requireFunction } from './invalid';

// Captured at import so that a test which later installs fake timers (vi.useFakeTimers) does not
// freeze the mocks' own bookkeeping.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;
const realSetImmediate: ((callback: () => void) => unknown) | undefined =
  typeof globalThis.setImmediate === 'function' ? globalThis.setImmediate : undefined;

/** Resolves on the next macrotask, after every microtask queued so far has run. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => {
    if (realSetImmediate) realSetImmediate(resolve);
    else realSetTimeout(resolve, 0);
  });
}

/** Resolves after `ms` of real time. */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/**
 * A minimal real-time `Scheduler` (validating, never overlapping, isolating failures), used
 * where a mock needs a timer and none was injected (e.g. `MockToolAdapter` timeouts).
 */
export const realTimeScheduler: Scheduler = {
  every(ms, job) {
    requireFunction('every', 'job', job);
    if (requireFinite('every', 'ms', ms, 0) === 0) {
      throw invalidArgument('every', [
        { path: 'ms', message: 'an interval must be greater than 0' },
      ]);
    }
    let running = false;
    const timer = realSetInterval(() => {
      if (running) return;
      running = true;
      Promise.resolve()
        .then(job)
        .catch(() => {})
        .finally(() => {
          running = false;
        });
    }, ms);
    return () => realClearInterval(timer);
  },
  once(ms, job) {
    requireFunction('once', 'job', job);
    requireFinite('once', 'ms', ms, 0);
    const timer = realSetTimeout(() => {
      Promise.resolve()
        .then(job)
        .catch(() => {});
    }, ms);
    return () => realClearTimeout(timer);
  },
};
