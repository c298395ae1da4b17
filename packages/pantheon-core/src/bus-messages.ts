import { ConfigError } from './errors';
import type { BusMessage } from './ports/message-bus';
import { BusMessageSchema } from './schemas';
import { check, describeIssues } from './validation';

/**
 * Checks a message given to `MessageBus.send`; a malformed one is a `ConfigError`
 * `INVALID_MESSAGE` whose `details.issues` name each field (e.g. `message.to`). Every bus and
 * the mock bus check here, so a malformed message has the same code on each and is delivered to
 * nobody.
 */
export function checkBusMessage(message: unknown): BusMessage {
  const checked = check<BusMessage>(BusMessageSchema, message, 'message');
  if (!checked.ok) {
    throw new ConfigError(
      `Cannot send a malformed message: ${describeIssues(checked.issues)}`,
      { issues: checked.issues },
      { code: 'INVALID_MESSAGE' },
    );
  }
  return checked.value;
}
