/**
 * The last `capacity` items pushed, oldest first; older ones are forgotten. The backing array is
 * trimmed in batches (it holds at most twice the capacity), so a push costs O(1) amortised
 * rather than a shift per push.
 *
 * @example
 * const log = new BoundedLog<string>(2);
 * log.push('a'); log.push('b'); log.push('c');
 * log.last(); // ['b', 'c']
 */
export class BoundedLog<T> {
  private items: T[] = [];

  constructor(readonly capacity: number) {}

  /** How many items the log keeps (at most `capacity`). */
  get size(): number {
    return Math.min(this.items.length, this.capacity);
  }

  push(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.capacity * 2) {
      this.items.splice(0, this.items.length - this.capacity);
    }
  }

  /** The newest `count` items (every kept item by default), oldest first, as a new array. */
  last(count = this.capacity): T[] {
    const taken = Math.min(count, this.capacity, this.items.length);
    return taken > 0 ? this.items.slice(this.items.length - taken) : [];
  }
}
