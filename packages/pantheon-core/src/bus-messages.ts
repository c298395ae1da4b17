import { ActorError, ConfigError } from './errors';
import type { BusMessage } from './ports/message-bus';
import type { SendMessageOptions } from './runtime/types';
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

/**
 * The metadata a caller of `sendMessage`/`ask` gives a message: the caller's entries (e.g.
 * `traceparent`) travel with it; the runtime's own (`budget`, `hops`) come from the runtime and
 * are dropped. `undefined` when none is given; anything but a plain object is `ActorError`
 * `INVALID_MESSAGE`. The same check in a single process and across a cluster.
 */
export function callerMetadata(
  actorId: string,
  metadata: unknown,
): Record<string, unknown> | undefined {
  if (metadata === undefined) return undefined;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ActorError(
      'sendMessage: metadata must be an object',
      actorId,
      { field: 'metadata' },
      { code: 'INVALID_MESSAGE' },
    );
  }
  const { budget: _budget, hops: _hops, ...carried } = metadata as Record<string, unknown>;
  return carried;
}

const encoder = new TextEncoder();

/** The content's size in UTF-8 bytes when it exceeds `maxBytes` (at least), else 0. */
export function oversize(content: string, maxBytes: number): number {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short strings need no encoding.
  if (content.length * 3 <= maxBytes) return 0;
  const bytes = content.length > maxBytes ? content.length : encoder.encode(content).length;
  return bytes > maxBytes ? bytes : 0;
}

/**
 * Checks the content given to `sendMessage`, the same in a single process and across a cluster,
 * before anything is stored or published: a string (`ActorError` `INVALID_MESSAGE`) of at most
 * `maxBytes` UTF-8 bytes (`MESSAGE_TOO_LARGE`, with `details.bytes` and `details.max`).
 */
export function checkContent(actorId: string, content: unknown, maxBytes: number): void {
  if (typeof content !== 'string') {
    throw new ActorError(
      'Message content must be a string',
      actorId,
      { received: typeof content },
      { code: 'INVALID_MESSAGE' },
    );
  }
  const bytes = oversize(content, maxBytes);
  if (bytes > 0) {
    throw new ActorError(
      `Message of ${bytes} bytes exceeds maxMessageBytes (${maxBytes})`,
      actorId,
      { bytes, max: maxBytes },
      { code: 'MESSAGE_TOO_LARGE' },
    );
  }
}

const SEND_FIELDS = ['from', 'conversationId', 'replyTo', 'messageId'] as const;

/**
 * Checks the options of `sendMessage`, the same in a single process and across a cluster:
 * `from`, `conversationId`, `replyTo` and `messageId`, when given, are non-empty strings, and
 * `messageId` holds no `:` (the ids of the messages a tick sends are `<message id>:<n>`). A bad
 * one is `ActorError` `INVALID_MESSAGE` naming the field.
 */
export function checkSendOptions(actorId: string, options: SendMessageOptions): void {
  for (const field of SEND_FIELDS) {
    const value = options[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      throw new ActorError(
        `sendMessage: ${field} must be a non-empty string`,
        actorId,
        { field },
        { code: 'INVALID_MESSAGE' },
      );
    }
  }
  if (options.messageId?.includes(':')) {
    throw new ActorError(
      'sendMessage: messageId must not contain ":" (the ids of the messages a tick sends are "<message id>:<n>")',
      actorId,
      { field: 'messageId' },
      { code: 'INVALID_MESSAGE' },
    );
  }
}
