import { RealTimeScheduler } from '@promethean-os/pantheon-core/adapter-kit';

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
 * The real-time `Scheduler` of core, on the timers captured above, used where a mock needs a
 * timer and none was injected (e.g. `MockToolAdapter` timeouts). Its jobs only abort signals, so
 * a failure is not reported: the mock reports the aborted call itself.
 */
export const realTimeScheduler = new RealTimeScheduler({
  timers: {
    setTimeout: (callback, ms) => realSetTimeout(callback, ms),
    clearTimeout: (handle) => realClearTimeout(handle as ReturnType<typeof setTimeout>),
    setInterval: (callback, ms) => realSetInterval(callback, ms),
    clearInterval: (handle) => realClearInterval(handle as ReturnType<typeof setInterval>),
  },
  onError: () => {},
});
