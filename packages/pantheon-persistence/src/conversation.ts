import { conversationOf } from '@promethean-os/pantheon-core/adapter-kit';
import { ACTOR_WIDE } from './store-core';

/**
 * The `pantheon_history.conversation_id` an `append` (its `options`) or a `compile` (its
 * request) reads or writes: the conversation id, or `ACTOR_WIDE` when there is none (checked
 * by core's `conversationOf`: `CONTEXT_INVALID_REQUEST` for anything but a non-empty string).
 */
export function conversationColumn(
  options: unknown,
  method: 'append' | 'compile' | 'getHistory',
  actorId: string | undefined,
): string {
  return conversationOf(options, method, actorId) ?? ACTOR_WIDE;
}
