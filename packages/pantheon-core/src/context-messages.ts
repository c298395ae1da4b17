import { ContextError } from './errors';
import { MessageSchema } from './schemas';
import type { Message } from './types';
import { check, describeIssues } from './validation';

/**
 * Checks a message given to `ContextPort.append`; a malformed one is a `ContextError`
 * (`CONTEXT_INVALID_MESSAGE`) naming each field, so adapters store nothing of it.
 */
export function checkAppendedMessage(actorId: string, message: unknown): Message {
  const checked = check<Message>(MessageSchema, message, 'message');
  if (!checked.ok) {
    throw new ContextError(
      `Cannot append a malformed message: ${describeIssues(checked.issues)}`,
      { actorId, issues: checked.issues },
      { code: 'CONTEXT_INVALID_MESSAGE' },
    );
  }
  return checked.value;
}

/**
 * The conversation a `ContextPort` call (its `options`: of `append`, or the `compile` request)
 * files or reads history under: a non-empty string, or `undefined` for the actor-wide history.
 * Anything else is a `ContextError` (`CONTEXT_INVALID_REQUEST`), so an entry meant for a
 * conversation never lands in the actor-wide history instead.
 */
export function conversationOf(
  options: unknown,
  method: string,
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
