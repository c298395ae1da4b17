import { errorMessage } from '../errors';
import type { LogFunction } from '../orchestrator/types';

/** Typed publish/subscribe where a throwing handler is logged and never affects the others. */
export class EventHub<Events extends object> {
  private readonly handlers = new Map<keyof Events, Set<(event: never) => void>>();

  constructor(private readonly log: LogFunction) {}

  on<K extends keyof Events>(name: K, handler: (event: Events[K]) => void): () => void {
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
    }
    set.add(handler as (event: never) => void);
    return () => {
      set.delete(handler as (event: never) => void);
    };
  }

  /** True when someone listens to `name`, so callers can skip building the event. */
  has(name: keyof Events): boolean {
    return (this.handlers.get(name)?.size ?? 0) > 0;
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.handlers.get(name);
    if (!set) return;
    for (const handler of set) {
      try {
        (handler as (event: Events[K]) => void)(event);
      } catch (error) {
        this.log(`Event handler for ${String(name)} threw; ignored`, {
          error: errorMessage(error),
        });
      }
    }
  }
}
