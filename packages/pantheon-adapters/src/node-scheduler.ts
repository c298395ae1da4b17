import {
  RealTimeScheduler,
  type RealTimeSchedulerOptions,
} from '@promethean-os/pantheon-core/adapter-kit';

/** Options of `NodeScheduler`: `onError` (default `console.error`) and `timers` (the host's). */
export type NodeSchedulerOptions = RealTimeSchedulerOptions;

/**
 * A real-time scheduler on the host's timers (Node, browsers, edge runtimes). `every` skips a
 * beat rather than start a run while the previous one is still running; a failing job goes to
 * `onError`. A job that is not a function or an invalid delay is a `ConfigError`
 * `INVALID_ARGUMENT` at the call. `stopAll()` cancels every pending job; `pendingCount` counts them.
 *
 * @example
 * const scheduler = new NodeScheduler({ onError: (error) => log('job failed', { error }) });
 * const stop = scheduler.every(60_000, () => refreshPrices());
 */
export class NodeScheduler extends RealTimeScheduler {}
