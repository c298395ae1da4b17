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

const fastPaths = new WeakMap<z.ZodType, (value: unknown) => boolean>();

/**
 * Gives `schema` a fast path for `check`: `accepts` recognises the common well-formed values
 * without a parse (which copies the value). It may turn down valid values — those, and every
 * invalid one, go to the schema — but must never accept a value the schema rejects.
 */
export function withFastPath<S extends z.ZodType>(
  schema: S,
  accepts: (value: unknown) => boolean,
): S {
  fastPaths.set(schema, accepts);
  return schema;
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
  if (fastPaths.get(schema)?.(value)) return { ok: true, value: value as T };
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, value: value as T }
    : { ok: false, issues: issuesOf(parsed.error, prefix) };
}
