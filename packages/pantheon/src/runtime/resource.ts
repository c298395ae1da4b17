import type { LogFunction } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';

/** Something `createPantheon` opened: probed for readiness, closed on shutdown. */
export interface Resource {
  /** `persistence`, `bus` or `context`. */
  name: string;
  /** What it is, e.g. `postgres postgres://app@db:5432/app`, for logs and `/readyz`. */
  description: string;
  /** Resolves when the service answers; absent when there is nothing to reach (in memory). */
  probe?(): Promise<void>;
  close(): Promise<void>;
}

/** One resource's answer to a readiness probe. */
export interface ReadinessCheck {
  name: string;
  description: string;
  ok: boolean;
  /** Why it is not ready. */
  error?: string;
  durationMs: number;
}

/** Whether every opened service answers. */
export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessCheck[];
}

/** Rejects when `work` takes longer than `ms`. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Probes every resource that can be probed, at most `timeoutMs` each, all at once. */
export async function probeAll(
  resources: readonly Resource[],
  timeoutMs: number,
): Promise<ReadinessReport> {
  const checks = await Promise.all(
    resources.map(async (resource): Promise<ReadinessCheck> => {
      const started = performance.now();
      const check = { name: resource.name, description: resource.description };
      if (!resource.probe) return { ...check, ok: true, durationMs: 0 };
      try {
        await within(timeoutMs, resource.name, resource.probe());
        return { ...check, ok: true, durationMs: Math.round(performance.now() - started) };
      } catch (error) {
        return {
          ...check,
          ok: false,
          error: errorMessage(error),
          durationMs: Math.round(performance.now() - started),
        };
      }
    }),
  );
  return { ready: checks.every((check) => check.ok), checks };
}

/** A resource in words: what `describeResources` lists and `pantheon start` logs. */
export interface ResourceDescription {
  /** `persistence`, `bus` or `context`. */
  name: string;
  /** e.g. `postgres postgres://app:***@db:5432/app`. */
  description: string;
}

export function describeAll(resources: readonly Resource[]): ResourceDescription[] {
  return resources.map(({ name, description }) => ({ name, description }));
}

/**
 * Closes the resources, last opened first. A close that fails is logged when `logger` is given
 * (at shutdown), ignored otherwise (after a failed start, whose error wins); the others still close.
 */
export async function closeAll(
  resources: readonly Resource[],
  logger?: LogFunction,
): Promise<void> {
  for (const resource of [...resources].reverse()) {
    try {
      await resource.close();
    } catch (error) {
      logger?.(`Closing the ${resource.name} failed`, {
        level: 'error',
        resource: resource.description,
        error: errorMessage(error),
      });
    }
  }
}
