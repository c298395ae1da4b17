import { requireFinite } from '@promethean-os/pantheon-core/adapter-kit';

/** A manual clock in milliseconds; hand `clock.now` to anything that takes a `now` function. */
export interface TestClock {
  /** The current time. Bound: `const { now } = clock` works. */
  now(): number;
  /** Moves the clock forward by `ms` and returns the new time. */
  advance(ms: number): number;
  /** Sets the clock to `time` (backwards too, to test clock skew). */
  set(time: number): void;
}

/**
 * A clock that only moves when told to. Pass the same clock to `createMockScheduler({ clock })`
 * so that scheduled jobs and `now()` agree.
 *
 * @example
 * const clock = createTestClock(1_700_000_000_000);
 * const orchestrator = makeOrchestrator({ now: clock.now, ... });
 * clock.advance(1_000);
 */
export function createTestClock(start = 0): TestClock {
  let time = requireFinite('createTestClock', 'start', start);
  return {
    now: () => time,
    advance(ms) {
      time += requireFinite('TestClock.advance', 'ms', ms, 0);
      return time;
    },
    set(next) {
      time = requireFinite('TestClock.set', 'time', next);
    },
  };
}
