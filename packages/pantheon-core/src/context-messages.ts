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
