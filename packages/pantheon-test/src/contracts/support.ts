import { PantheonError, type PantheonErrorCode } from '@promethean-os/pantheon-core';
import { afterEach, beforeEach, expect } from 'vitest';

/** Creates the port under test; called before each test (and once at collection, see below). */
export type PortFactory<P> = () => P | Promise<P>;

/** Options every contract suite takes. */
export interface ContractOptions<P> {
  /** Releases what `factory` created (connections, timers, files); runs after each test. */
  cleanup?: (port: P) => void | Promise<void>;
}

/**
 * Registers `beforeEach`/`afterEach` hooks that create a fresh port per test and clean it up;
 * returns the accessor the tests use.
 */
export function usePort<P>(factory: PortFactory<P>, cleanup?: (port: P) => void | Promise<void>) {
  let port: P | undefined;
  beforeEach(async () => {
    port = await factory();
  });
  afterEach(async () => {
    const created = port;
    port = undefined;
    if (created !== undefined) await cleanup?.(created);
  });
  return (): P => {
    if (port === undefined) throw new Error('The contract suite has no port outside a test');
    return port;
  };
}

/**
 * The optional features of a port: from `declared` when given, otherwise detected on one
 * instance made at collection time (then cleaned up), so that tests of a missing feature are not
 * registered at all rather than skipped.
 */
export async function detectFeatures<P, F extends object>(
  factory: PortFactory<P>,
  cleanup: ((port: P) => void | Promise<void>) | undefined,
  detect: (port: P) => F,
  declared: Partial<F> | undefined,
): Promise<F> {
  const probe = await factory();
  try {
    return { ...detect(probe), ...declared };
  } finally {
    await cleanup?.(probe);
  }
}

/** `' [a, b]'`, or `''` when no feature is on: shown in the suite title. */
export function featureTitle(features: object): string {
  const on = Object.entries(features)
    .filter(([, enabled]) => enabled === true)
    .map(([name]) => name);
  return on.length > 0 ? ` [${on.join(', ')}]` : '';
}

/** The error `action` throws or rejects with; fails the test when it succeeds. */
export async function failureOf(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  expect.unreachable('expected the call to fail');
}

/** An error class as the suites check it: `ToolError`, `LlmError`, … or `PantheonError`. */
export interface ErrorClass {
  readonly name: string;
  isInstance(error: unknown): boolean;
}

/**
 * Asserts a Pantheon error of `errorClass` (through its `isInstance`, so errors from a duplicate
 * install count) with exactly `code` — the code every adapter and mock of the port uses for
 * that mistake; returns it.
 */
export function expectPantheonError(
  error: unknown,
  code: PantheonErrorCode,
  errorClass: ErrorClass = PantheonError,
): PantheonError {
  expect(PantheonError.isInstance(error), `expected a PantheonError, got ${String(error)}`).toBe(
    true,
  );
  const typed = error as PantheonError;
  expect(typed.code, `code of: ${typed.message}`).toBe(code);
  expect(errorClass.isInstance(error), `expected a ${errorClass.name}, got a ${typed.name}`).toBe(
    true,
  );
  return typed;
}
