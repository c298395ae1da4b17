/** Summary of one benchmark scenario, in microseconds per operation. */
export interface Measurement {
  name: string;
  iterations: number;
  medianUs: number;
  p99Us: number;
  meanUs: number;
}

/** The sample at `fraction` (0.5 for the median) of samples sorted in ascending order. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** The median of unsorted values. */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** `numerator`'s median over `denominator`'s, both named results of one run. */
export function medianRatio(
  results: readonly Measurement[],
  numerator: string,
  denominator: string,
): number {
  const medianOf = (name: string) => results.find((result) => result.name === name)!.medianUs;
  return round(medianOf(numerator) / medianOf(denominator), 2);
}

/**
 * Times `operation` one call at a time after a warm-up. Each sample includes the same ~50 ns
 * of timer overhead, so compare scenarios with their baseline from the same run.
 */
export async function measure(
  name: string,
  operation: () => Promise<unknown> | unknown,
  { iterations = 50_000, warmup = 10_000 } = {},
): Promise<Measurement> {
  for (let index = 0; index < warmup; index++) await operation();
  globalThis.gc?.();
  const samples = new Float64Array(iterations);
  for (let index = 0; index < iterations; index++) {
    const start = process.hrtime.bigint();
    await operation();
    samples[index] = Number(process.hrtime.bigint() - start) / 1000;
  }
  const total = samples.reduce((sum, value) => sum + value, 0);
  samples.sort();
  return {
    name,
    iterations,
    medianUs: round(percentile(samples, 0.5)),
    p99Us: round(percentile(samples, 0.99)),
    meanUs: round(total / iterations),
  };
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
