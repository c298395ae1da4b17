/** What `redactSecrets` hides. */
export interface RedactOptions {
  /** Keys whose values are hidden whatever they hold; added to the defaults. */
  keys?: readonly (string | RegExp)[];
  /** Patterns hidden inside any string; added to the defaults. */
  patterns?: readonly RegExp[];
  /** What replaces a secret. Default `'[REDACTED]'`. */
  replacement?: string;
}

/** Keys that hold secrets: API keys, authorization headers, tokens, passwords, cookies. */
export const DEFAULT_SECRET_KEYS: readonly RegExp[] = [
  /^(x-)?api[-_]?key$/i,
  /^(proxy-)?authorization$/i,
  /^((access|refresh|id|auth|bearer|session)[-_]?)?token$/i,
  /^(password|passwd|passphrase)$/i,
  /^(client[-_]?)?secret$/i,
  /^(set-)?cookie$/i,
];

/**
 * Values that look like secrets wherever they appear: OpenAI and Anthropic keys, bearer tokens,
 * AWS access key ids, GitHub and Slack tokens, Google API keys.
 */
export const DEFAULT_SECRET_PATTERNS: readonly RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /sk-(proj-)?[A-Za-z0-9_-]{16,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
];

/** Secret values configured in this process (API keys the LLM adapters were given). */
const knownSecrets = new Set<string>();

/**
 * Adds a secret value (e.g. a configured API key) that `redactSecrets` hides wherever it appears,
 * whatever its shape. `llmConnection` registers the keys of the LLM adapters. Values shorter
 * than 8 characters are ignored, since hiding them would mangle ordinary text.
 */
export function rememberSecret(value: string): void {
  if (value.length >= 8) knownSecrets.add(value);
}

function keyMatches(key: string, keys: readonly (string | RegExp)[]): boolean {
  for (const candidate of keys) {
    if (
      typeof candidate === 'string'
        ? candidate.toLowerCase() === key.toLowerCase()
        : candidate.test(key)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * A copy of `value` with secrets replaced: values of secret-looking keys (`apiKey`,
 * `authorization`, `token`, `password`, …), secret-looking text anywhere (`sk-…`, `sk-ant-…`,
 * `Bearer …`, `AKIA…`, …) and the values given to `rememberSecret`. Pantheon applies it to every
 * error it stores (`toJSON`) and to what `consoleLog` prints. Errors become plain objects (`name`, `message`, `code`, `stack`, `cause`), redacted
 * too; cycles become `'[Circular]'`. The input is never changed.
 *
 * @example
 * redactSecrets({ apiKey: 'sk-…', note: 'Bearer abc…' }); // { apiKey: '[REDACTED]', note: '[REDACTED]' }
 */
export function redactSecrets<T>(value: T, options: RedactOptions = {}): T {
  const keys = [...DEFAULT_SECRET_KEYS, ...(options.keys ?? [])];
  const patterns = [...DEFAULT_SECRET_PATTERNS, ...(options.patterns ?? [])];
  const replacement = options.replacement ?? '[REDACTED]';
  const seen = new Set<object>();

  const text = (input: string): string => {
    let out = input;
    for (const secret of knownSecrets) {
      if (out.includes(secret)) out = out.split(secret).join(replacement);
    }
    for (const pattern of patterns) {
      const global = pattern.flags.includes('g')
        ? pattern
        : new RegExp(pattern.source, `${pattern.flags}g`);
      out = out.replace(global, replacement);
    }
    return out;
  };

  const walk = (current: unknown): unknown => {
    if (typeof current === 'string') return text(current);
    if (typeof current !== 'object' || current === null) return current;
    if (seen.has(current)) return '[Circular]';
    seen.add(current);
    try {
      if (Array.isArray(current)) return current.map(walk);
      const source: Record<string, unknown> =
        current instanceof Error
          ? {
              ...current,
              name: current.name,
              message: current.message,
              stack: current.stack,
              cause: current.cause,
            }
          : (current as Record<string, unknown>);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(source)) {
        const item = source[key];
        if (item === undefined) continue;
        out[key] = keyMatches(key, keys) ? replacement : walk(item);
      }
      return out;
    } finally {
      seen.delete(current);
    }
  };
  return walk(value) as T;
}
