import { ConfigError } from './errors';
import { rememberSecret } from './redact-secrets';

/** The environment variables an LLM adapter falls back to. */
export interface LlmConnectionVariables {
  /** e.g. `OPENAI_API_KEY`. */
  apiKey: string;
  /** e.g. `OPENAI_BASE_URL`. */
  baseURL: string;
}

function environment(name: string): string | undefined {
  return globalThis.process?.env?.[name] || undefined;
}

/**
 * The API key and base URL an LLM adapter connects with: each its option when given, else its
 * environment variable (an empty variable counts as unset). Without a key anywhere it throws a
 * `ConfigError` that names the variable to set.
 *
 * @example
 * const { apiKey, baseURL } = llmConnection('OpenAiAdapter', options,
 *   { apiKey: 'OPENAI_API_KEY', baseURL: 'OPENAI_BASE_URL' });
 */
export function llmConnection(
  adapter: string,
  options: { apiKey?: string; baseURL?: string },
  variables: LlmConnectionVariables,
): { apiKey: string; baseURL: string | undefined } {
  const apiKey = options.apiKey ?? environment(variables.apiKey);
  if (!apiKey) {
    throw new ConfigError(
      `${adapter} needs an API key: pass { apiKey } or set the ${variables.apiKey} environment variable`,
      { variable: variables.apiKey },
    );
  }
  // An echoed key never reaches a log or the durable store in clear.
  rememberSecret(apiKey);
  return { apiKey, baseURL: options.baseURL ?? environment(variables.baseURL) };
}
