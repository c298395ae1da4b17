/**
 * The one source of randomness of a simulation: a small seeded generator (mulberry32), so that a
 * seed chooses every interleaving, delay and fault, and the same seed replays them exactly.
 */
export interface SimulationRandom {
  /** The seed this generator started from. */
  readonly seed: number;
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** `true` with probability `p` (0 never draws a number, so a fault that is off changes nothing). */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
}

/** A seeded generator; see `SimulationRandom`. */
export function createSimulationRandom(seed: number): SimulationRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => p > 0 && next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}
