import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@promethean-os/pantheon-core';

/** The CSV bundled with the example: 40 orders of an outdoor-gear wholesaler. */
export const SAMPLE_CSV = fileURLToPath(new URL('../../data/sales.csv', import.meta.url));

/** Which model the actors run on. */
export type ModelConfig =
  /** The offline scripted stand-in: no network, no key, not a language model. */
  | { provider: 'scripted' }
  | { provider: 'openai'; apiKey: string; baseURL?: string; model?: string }
  | { provider: 'anthropic'; apiKey: string; baseURL?: string; model?: string };

/** Every setting of the data analyst, in one place. */
export interface DataAnalystConfig {
  /** The CSV file the actors answer questions about. */
  csvFile: string;
  llm: ModelConfig;
  /** How long one question may take, hand-off and tool calls included. */
  askTimeoutMs: number;
}

type Environment = Readonly<Record<string, string | undefined>>;

const PROVIDERS = ['openai', 'anthropic', 'scripted'] as const;

function value(env: Environment, name: string): string | undefined {
  const set = env[name]?.trim();
  return set === '' ? undefined : set;
}

function required(env: Environment, name: string, provider: string): string {
  const set = value(env, name);
  if (set === undefined) {
    throw new ConfigError(
      `The ${provider} model needs ${name}; set it, or unset DATA_ANALYST_PROVIDER to run offline`,
      { variable: name },
    );
  }
  return set;
}

function modelConfig(env: Environment): ModelConfig {
  const requested = value(env, 'DATA_ANALYST_PROVIDER');
  if (requested !== undefined && !(PROVIDERS as readonly string[]).includes(requested)) {
    throw new ConfigError(
      `DATA_ANALYST_PROVIDER must be one of ${PROVIDERS.join(', ')}; got "${requested}"`,
      { variable: 'DATA_ANALYST_PROVIDER', value: requested },
    );
  }
  const provider =
    requested ??
    (value(env, 'OPENAI_API_KEY') || value(env, 'OPENAI_BASE_URL')
      ? 'openai'
      : value(env, 'ANTHROPIC_API_KEY')
        ? 'anthropic'
        : 'scripted');
  if (provider === 'openai') {
    const baseURL = value(env, 'OPENAI_BASE_URL');
    return {
      provider,
      // A local OpenAI-compatible server (Ollama, vLLM) takes any key; the SDK needs one.
      apiKey: baseURL
        ? (value(env, 'OPENAI_API_KEY') ?? 'local-server')
        : required(env, 'OPENAI_API_KEY', provider),
      baseURL,
      model: value(env, 'OPENAI_MODEL'),
    };
  }
  if (provider === 'anthropic') {
    return {
      provider,
      apiKey: required(env, 'ANTHROPIC_API_KEY', provider),
      baseURL: value(env, 'ANTHROPIC_BASE_URL'),
      model: value(env, 'ANTHROPIC_MODEL'),
    };
  }
  return { provider: 'scripted' };
}

/**
 * The settings from the environment (`process.env` in `main`), defaults for the rest:
 * - `DATA_ANALYST_CSV`: the CSV file (relative to the working directory); the bundled sample
 *   otherwise.
 * - the model: `DATA_ANALYST_PROVIDER` (`openai`, `anthropic` or `scripted`) when set; otherwise
 *   OpenAI when `OPENAI_API_KEY` or `OPENAI_BASE_URL` is set, then Claude when
 *   `ANTHROPIC_API_KEY` is set, else the offline scripted stand-in. `OPENAI_MODEL`,
 *   `ANTHROPIC_MODEL` and `ANTHROPIC_BASE_URL` are passed on. API keys come only from here.
 *
 * @throws ConfigError naming the variable: an unknown provider, or a provider without its key.
 */
export function loadDataAnalystConfig(env: Environment): DataAnalystConfig {
  const csvFile = value(env, 'DATA_ANALYST_CSV');
  return {
    csvFile: csvFile === undefined ? SAMPLE_CSV : resolve(csvFile),
    llm: modelConfig(env),
    askTimeoutMs: 120_000,
  };
}
