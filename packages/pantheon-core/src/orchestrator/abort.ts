import { PantheonError } from '../errors';
import type { Scheduler } from '../ports/scheduler';

/** A signal that never aborts, shared by ticks that were given none. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** The error of an operation cancelled through its signal. */
export function abortError(signal: AbortSignal): PantheonError {
  return PantheonError.isInstance(signal.reason)
    ? signal.reason
    : new PantheonError('The operation was aborted', 'ABORTED', undefined, {
        cause: signal.reason,
      });
}

/** Resolves after `ms` on the scheduler (virtual time in tests); rejects when `signal` aborts. */
export function sleep(schedule: Scheduler, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const onAbort = () => {
      cancel?.();
      reject(abortError(signal));
    };
    const cancel = schedule.once(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `task` with a signal that aborts when `parent` aborts or after `ms` on the scheduler
 * (no timer when `ms` is undefined), whichever comes first. Rejects as soon as that happens,
 * even if the task ignores its signal: with `onTimeout()` on timeout, `abortError` on abort.
 */
export async function withTimeout<T>(
  schedule: Scheduler,
  ms: number | undefined,
  parent: AbortSignal | undefined,
  onTimeout: () => PantheonError,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const forward = () => controller.abort(parent?.reason);
  if (parent?.aborted) forward();
  else parent?.addEventListener('abort', forward, { once: true });
  const cancel =
    ms === undefined ? undefined : schedule.once(ms, () => controller.abort(onTimeout()));
  const aborted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(abortError(controller.signal));
    else
      controller.signal.addEventListener('abort', () => reject(abortError(controller.signal)), {
        once: true,
      });
  });
  try {
    return await Promise.race([task(controller.signal), aborted]);
  } finally {
    cancel?.();
    parent?.removeEventListener('abort', forward);
  }
}

/** A deadline on the scheduler: `expired` resolves after `ms` unless `cancel` came first. */
export function deadline(
  schedule: Scheduler,
  ms: number,
): { expired: Promise<void>; cancel(): void } {
  let expire: () => void = () => {};
  const expired = new Promise<void>((resolve) => {
    expire = resolve;
  });
  const cancel = schedule.once(ms, () => expire());
  return { expired, cancel: () => cancel?.() };
}
