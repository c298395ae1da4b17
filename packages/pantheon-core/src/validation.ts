import type { z } from 'zod';

/** One reason a value was rejected: the dotted path of the offending field and what is wrong. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Formats a path such as `['actions', 0, 'content']` as `actions[0].content`. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** The issues of a failed zod parse, with paths below `prefix`. */
export function issuesOf(error: z.ZodError, prefix = ''): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path, prefix),
    message: issue.message,
  }));
}

/** `"a.b: reason; c: reason"` — for error messages. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}

/**
 * Validates `value` and returns it unchanged (class instances and functions keep their identity),
 * or the issues that reject it.
 */
export function check<T>(
  schema: z.ZodType,
  value: unknown,
  prefix = '',
): { ok: true; value: T } | { ok: false; issues: ValidationIssue[] } {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, value: value as T }
    : { ok: false, issues: issuesOf(parsed.error, prefix) };
}
