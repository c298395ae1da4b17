import type { ActorCell } from './actor-cell';
import { Queue } from './queue';

/**
 * Mailbox scheduling: which actor runs its next turn. Actors with work wait in a ready queue;
 * at most `maxConcurrent` turns run at a time, and an actor has at most one turn at a time (so
 * its mailbox is processed in order). `whenIdle` waits until no started actor has work.
 */
export class TurnScheduler {
  private readonly ready = new Queue<ActorCell>();
  private readonly idleWaiters: Array<() => void> = [];
  private active = 0;

  constructor(
    private readonly maxConcurrent: number,
    private readonly cells: ReadonlyMap<string, ActorCell>,
    private readonly runTurn: (cell: ActorCell) => Promise<void>,
  ) {}

  /** Queues the actor for a turn if it is started, has work and is not running or backing off. */
  schedule(cell: ActorCell): void {
    if (cell.queued || cell.turn || !cell.started || cell.inBackoff || !cell.hasWork()) return;
    cell.queued = true;
    this.ready.push(cell);
    this.pump();
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves `whenIdle` callers once nothing is left to do. */
  settleIdle(): void {
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private isIdle(): boolean {
    if (this.active > 0 || this.ready.size > 0) return false;
    for (const cell of this.cells.values()) {
      if (cell.started && cell.hasWork()) return false;
    }
    return true;
  }

  private pump(): void {
    while (this.active < this.maxConcurrent) {
      const cell = this.ready.shift();
      if (!cell) break;
      cell.queued = false;
      if (!cell.started || cell.inBackoff) continue;
      this.active++;
      cell.turn = this.runTurn(cell).finally(() => {
        cell.turn = undefined;
        this.active--;
        this.schedule(cell);
        this.pump();
        this.settleIdle();
      });
    }
  }
}
