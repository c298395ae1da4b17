import { ContextError } from '@promethean-os/pantheon-core';
import { ACTOR_WIDE } from './store-core';

/**
 * The `pantheon_history.conversation_id` an `append` (its `options`) or a `compile` (its
 * request) reads or writes: the conversation id, or `ACTOR_WIDE` when there is none. A
 * `conversationId` that is not a non-empty string — `''` would land in the actor-wide
 * history — is a `ContextError` `CONTEXT_INVALID_REQUEST`.
 */
export function conversationColumn(
  options: unknown,
  method: 'append' | 'compile' | 'getHistory',
  actorId: string | undefined,
): string {
  if (options === undefined) return ACTOR_WIDE;
  if (typeof options !== 'object' || options === null) {
    throw new ContextError(
      `${method}() options must be an object`,
      { field: 'options', actorId },
      { code: 'CONTEXT_INVALID_REQUEST' },
    );
  }
  const conversationId = (options as { conversationId?: unknown }).conversationId;
  if (conversationId === undefined) return ACTOR_WIDE;
  if (typeof conversationId !== 'string' || conversationId === '') {
    throw new ContextError(
      `${method}() needs conversationId as a non-empty string (leave it out for the actor-wide history)`,
      { field: 'conversationId', actorId },
      { code: 'CONTEXT_INVALID_REQUEST' },
    );
  }
  return conversationId;
}
