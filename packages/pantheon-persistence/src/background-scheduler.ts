import type { Scheduler } from '@promethean-os/pantheon-core';
import { RealTimeScheduler, type SchedulerTimers } from '@promethean-os/pantheon-core/adapter-kit';

/** A timer that does not keep the process alive (Node's `unref`, where there is one). */
function background<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

const backgroundTimers: SchedulerTimers = {
  setTimeout: (callback, ms) => background(setTimeout(callback, ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  setInterval: (callback, ms) => background(setInterval(callback, ms)),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * The `Scheduler` a store uses for its timers when `PersistenceOptions.scheduler` is not given:
 * core's `RealTimeScheduler` on timers that never keep the process alive, so an open store does
 * not stop it from exiting. `every` never overlaps runs of the same job; a failing run is
 * dropped, since the job handles its own failures (a failed prune is retried at the next
 * interval).
 */
export function backgroundScheduler(): Scheduler {
  return new RealTimeScheduler({ timers: backgroundTimers, onError: () => {} });
}
