import { ConfigError } from '../errors';
import { describeIssues, type ValidationIssue } from '../validation';

/**
 * The `ConfigError` `INVALID_ARGUMENT` of a call that got a wrong argument: the message names the
 * method and each offending field, `details` holds `{ method, issues }`. Adapters and mocks throw
 * the same error for the same mistake.
 *
 * @example
 * throw invalidArgument('MessageBus.subscribe', [{ path: 'options.to', message: 'expected a string' }]);
 */
export function invalidArgument(method: string, issues: ValidationIssue[]): ConfigError {
  return new ConfigError(
    `${method}: ${describeIssues(issues)}`,
    { method, issues },
    { code: 'INVALID_ARGUMENT' },
  );
}

/** `"a string"`, `"null"`, `"an array"`, `"an object"`, … for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? type : `a ${type}`;
}

/** Throws `invalidArgument` unless `value` is a function. */
export function requireFunction(method: string, path: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw invalidArgument(method, [
      { path, message: `expected a function, received ${describeValue(value)}` },
    ]);
  }
}

/** Throws `invalidArgument` unless `value` is a finite number (and `>= min` when given); returns it. */
export function requireFinite(method: string, path: string, value: unknown, min?: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (min !== undefined && value < min)) {
    const expected = min === undefined ? 'a finite number' : `a finite number >= ${min}`;
    throw invalidArgument(method, [
      { path, message: `expected ${expected}, received ${String(value)}` },
    ]);
  }
  return value;
}
