import { ActorError, ContextError, PantheonError } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';

/** Which port failed: decides the typed error a database failure becomes. */
export type PortKind = 'state' | 'context' | 'mailbox';

/**
 * A database failure as the port's typed error: `ActorError` `STATE_UNAVAILABLE`,
 * `ContextError` `CONTEXT_UNAVAILABLE` or `PantheonError` `STORE_UNAVAILABLE`. Pantheon errors
 * (version conflicts, unknown scripts, …) pass through unchanged.
 */
export function asPortError(kind: PortKind, error: unknown, actorId?: string): PantheonError {
  if (PantheonError.isInstance(error)) return error;
  const reason = errorMessage(error);
  switch (kind) {
    case 'state':
      return new ActorError(
        `The actor state database is unavailable: ${reason}`,
        actorId ?? '',
        undefined,
        { code: 'STATE_UNAVAILABLE', cause: error },
      );
    case 'context':
      return new ContextError(
        `The context database is unavailable: ${reason}`,
        actorId === undefined ? undefined : { actorId },
        { code: 'CONTEXT_UNAVAILABLE', cause: error },
      );
    case 'mailbox':
      return new PantheonError(
        `The mailbox database is unavailable: ${reason}`,
        'STORE_UNAVAILABLE',
        actorId === undefined ? undefined : { actorId },
        { cause: error },
      );
  }
}

/** Runs `work`, turning a database failure into the port's typed error. */
export async function guarded<T>(
  kind: PortKind,
  actorId: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asPortError(kind, error, actorId);
  }
}

/** `VERSION_CONFLICT`: the stored actor changed since the version the writer expected. */
export function versionConflict(
  actorId: string,
  expectedVersion: number,
  actualVersion: number | undefined,
): ActorError {
  return new ActorError(
    `Actor "${actorId}" was changed by another writer (expected version ${expectedVersion}, found ${actualVersion ?? 'none'})`,
    actorId,
    { expectedVersion, actualVersion },
    { code: 'VERSION_CONFLICT' },
  );
}

export function actorNotFound(actorId: string): ActorError {
  return new ActorError(`Actor "${actorId}" not found`, actorId, undefined, {
    code: 'ACTOR_NOT_FOUND',
  });
}

export function actorExists(actorId: string): ActorError {
  return new ActorError(`Actor "${actorId}" already exists`, actorId, undefined, {
    code: 'ACTOR_EXISTS',
  });
}

/** `TICK_ENDED`: a tick transaction used after its commit or abort. */
export function tickEnded(actorId: string, operation: string): PantheonError {
  return new PantheonError(
    `The tick transaction of "${actorId}" has ended (committed or aborted); ${operation} was not applied. Begin a new tick.`,
    'TICK_ENDED',
    { actorId, operation },
  );
}
