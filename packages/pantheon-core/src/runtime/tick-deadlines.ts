import type { Scheduler } from '../ports/scheduler';
import type { ActorCell } from './actor-cell';

/**
 * Cuts off ticks that run longer than `timeoutMs`. Every tick has the same timeout, so the
 * oldest running tick expires first: one timer on the scheduler, set for the oldest, serves all
 * of them (no timer per tick), and is set again for the next oldest when it fires.
 */
export class TickDeadlines {
  /** Running ticks by actor, oldest first, with the time each started. */
  private readonly running = new Map<ActorCell, number>();
  private cancel: (() => void) | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly scheduler: Scheduler,
    private readonly now: () => number,
    private readonly expire: (cell: ActorCell) => void,
  ) {}

  started(cell: ActorCell): void {
    this.running.set(cell, this.now());
    if (!this.cancel) this.arm(this.timeoutMs);
  }

  ended(cell: ActorCell): void {
    this.running.delete(cell);
  }

  /** Stops the timer; ticks still running are no longer cut off. */
  close(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.running.clear();
  }

  private arm(ms: number): void {
    this.cancel = this.scheduler.once(ms, () => this.fire()) ?? (() => {});
  }

  private fire(): void {
    this.cancel = undefined;
    const now = this.now();
    for (const [cell, startedAt] of this.running) {
      const left = startedAt + this.timeoutMs - now;
      if (left > 0) {
        this.arm(left);
        return;
      }
      this.running.delete(cell);
      this.expire(cell);
    }
  }
}
