import {
  ConfigError,
  LlmError,
  MessageSchema,
  type PantheonErrorCode,
  type ValidationIssue,
} from '@promethean-os/pantheon-core';
import { check, describeIssues } from '@promethean-os/pantheon-core/adapter-kit';

/** The code of every `ConfigError` this package throws for a bad argument. */
export const INVALID_ARGUMENT = 'INVALID_ARGUMENT' satisfies PantheonErrorCode;

/** A `ConfigError` naming the method that was called wrongly and the offending fields. */
export function invalidArgument(method: string, issues: ValidationIssue[]): ConfigError {
  return new ConfigError(
    `${method}: ${describeIssues(issues)}`,
    { method, issues },
    {
      code: INVALID_ARGUMENT,
    },
  );
}

/** Throws unless `value` is a function. */
export function requireFunction(method: string, path: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw invalidArgument(method, [
      { path, message: `expected a function, received ${describeValue(value)}` },
    ]);
  }
}

/** `"a string"`, `"null"`, `"an object"`, … for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? type : `a ${type}`;
}

/** Throws unless `value` is a finite number (and `>= min` when given); returns it. */
export function requireFinite(method: string, path: string, value: unknown, min?: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (min !== undefined && value < min)) {
    const expected = min === undefined ? 'a finite number' : `a finite number >= ${min}`;
    throw invalidArgument(method, [
      { path, message: `expected ${expected}, received ${String(value)}` },
    ]);
  }
  return value;
}

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
