import { PantheonError } from '@promethean-os/pantheon-core';

/** A Pantheon error as tests look at it: any error class, with `toolName` when it is a ToolError. */
export type Failure = PantheonError & { toolName?: string; details: Record<string, any> };

/**
 * The Pantheon error `promise` rejects with. Fails the test when it resolves, or when it rejects
 * with something that is not a Pantheon error (an untyped failure is a bug here).
 */
export async function failureOf(promise: Promise<unknown>): Promise<Failure> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    if (PantheonError.isInstance(error)) return error as Failure;
    throw new Error(`expected a PantheonError, got: ${String(error)}`, { cause: error });
  }
  throw new Error(`expected a rejection, got: ${JSON.stringify(value)}`);
}
