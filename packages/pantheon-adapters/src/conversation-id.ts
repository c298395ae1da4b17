import { ContextError } from '@promethean-os/pantheon-core';

/**
 * The conversation an `append` (its `options`) or a `compile` (its request) files history
 * under: a non-empty string, or `undefined` for the actor-wide history. Anything else is a
 * `ContextError` `CONTEXT_INVALID_REQUEST`: an entry meant for a conversation is never filed in
 * the actor-wide history instead.
 */
export function conversationOf(
  options: unknown,
  method: 'append' | 'compile',
  actorId: string | undefined,
): string | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new ContextError(
      `${method}() options must be an object`,
      { field: 'options', actorId },
      { code: 'CONTEXT_INVALID_REQUEST' },
    );
  }
  const conversationId = (options as { conversationId?: unknown }).conversationId;
  if (conversationId === undefined) return undefined;
  if (typeof conversationId !== 'string' || conversationId === '') {
    throw new ContextError(
      `${method}() needs conversationId as a non-empty string (leave it out for the actor-wide history)`,
      { field: 'conversationId', actorId },
      { code: 'CONTEXT_INVALID_REQUEST' },
    );
  }
  return conversationId;
}
