import {
  LlmError,
  MessageSchema,
  type PantheonErrorCode,
  type ValidationIssue,
} from '@promethean-os/pantheon-core';
import { check, describeIssues, describeValue } from '@promethean-os/pantheon-core/adapter-kit';

/** The code of every `ConfigError` this package throws for a bad argument. */
export const INVALID_ARGUMENT = 'INVALID_ARGUMENT' satisfies PantheonErrorCode;

/** The issues of a list that must hold well-formed messages, with paths such as `messages[2].role`. */
export function messageListIssues(value: unknown, path: string): ValidationIssue[] {
  if (!Array.isArray(value)) {
    return [{ path, message: `expected an array of messages, received ${describeValue(value)}` }];
  }
  const issues: ValidationIssue[] = [];
  value.forEach((message, index) => {
    const checked = check(MessageSchema, message, `${path}[${index}]`);
    if (!checked.ok) issues.push(...checked.issues);
  });
  return issues;
}

/** Throws `LlmError` `LLM_BAD_REQUEST` naming the offending fields unless `messages` is well formed. */
export function assertValidMessages(method: string, messages: unknown, provider: string): void {
  const issues = messageListIssues(messages, 'messages');
  if (issues.length > 0) {
    throw new LlmError(
      `${method}: malformed request: ${describeIssues(issues)}`,
      { issues },
      {
        code: 'LLM_BAD_REQUEST',
        status: 400,
        provider,
      },
    );
  }
}
