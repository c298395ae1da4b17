import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type LlmPort } from '@promethean-os/pantheon-core';
import { ClaudeAdapter } from '@promethean-os/pantheon-llm-claude';
import { OpenAiAdapter } from '@promethean-os/pantheon-llm-openai';
import { ReplayLlmAdapter } from '@promethean-os/pantheon-test';

/** The committed recording the desk replays when no provider is configured. */
export const SUPPORT_DESK_CASSETTE = fileURLToPath(
  new URL('../cassettes/support-desk.cassette.json', import.meta.url),
);

export type Provider = 'openai' | 'anthropic' | 'replay';

/** The model the desk will use, and why. */
export interface ModelChoice {
  provider: Provider;
  llm: LlmPort;
  /** One line for the console. */
  description: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

const PROVIDERS: readonly Provider[] = ['openai', 'anthropic', 'replay'];

function value(env: Environment, name: string): string | undefined {
  const set = env[name]?.trim();
  return set === '' ? undefined : set;
}

function pickProvider(env: Environment): Provider {
  const requested = value(env, 'SUPPORT_DESK_PROVIDER');
  if (requested !== undefined) {
    if (!PROVIDERS.includes(requested as Provider)) {
      throw new ConfigError(
        `SUPPORT_DESK_PROVIDER must be one of ${PROVIDERS.join(', ')}; got "${requested}"`,
        { variable: 'SUPPORT_DESK_PROVIDER', value: requested },
      );
    }
    return requested as Provider;
  }
  if (value(env, 'OPENAI_API_KEY') || value(env, 'OPENAI_BASE_URL')) return 'openai';
  if (value(env, 'ANTHROPIC_API_KEY')) return 'anthropic';
  return 'replay';
}

function missingKey(provider: Provider, variable: string): never {
  throw new ConfigError(`The ${provider} model needs ${variable}; set it, or run offline`, {
    variable,
  });
}

/**
 * Picks the model from the environment variables in `env` (`process.env` in `main`):
 * `SUPPORT_DESK_PROVIDER` (`openai`, `anthropic` or `replay`) when set; otherwise OpenAI when
 * `OPENAI_API_KEY` or `OPENAI_BASE_URL` (an OpenAI-compatible server such as Ollama, which needs no
 * real key) is set, then Claude when `ANTHROPIC_API_KEY` is set, else the offline replay of
 * `cassette`. `OPENAI_MODEL` / `ANTHROPIC_MODEL` and `ANTHROPIC_BASE_URL` are passed on.
 * Constructing an adapter sends no request.
 *
 * @throws ConfigError for an unknown `SUPPORT_DESK_PROVIDER`, or a provider without its API key.
 */
export function chooseModel(env: Environment, cassette = SUPPORT_DESK_CASSETTE): ModelChoice {
  const provider = pickProvider(env);
  if (provider === 'openai') {
    const baseURL = value(env, 'OPENAI_BASE_URL');
    // A local OpenAI-compatible server takes any key, but the SDK needs a non-empty one.
    const apiKey = value(env, 'OPENAI_API_KEY') ?? (baseURL ? 'local-server' : undefined);
    const llm = new OpenAiAdapter({
      apiKey: apiKey ?? missingKey('openai', 'OPENAI_API_KEY'),
      baseURL,
      model: value(env, 'OPENAI_MODEL'),
    });
    return {
      provider,
      llm,
      description: `OpenAI-compatible model ${llm.model} at ${llm.client.baseURL}`,
    };
  }
  if (provider === 'anthropic') {
    const llm = new ClaudeAdapter({
      apiKey: value(env, 'ANTHROPIC_API_KEY') ?? missingKey('anthropic', 'ANTHROPIC_API_KEY'),
      baseURL: value(env, 'ANTHROPIC_BASE_URL'),
      model: value(env, 'ANTHROPIC_MODEL'),
    });
    return { provider, llm, description: `Claude model ${llm.model} at ${llm.client.baseURL}` };
  }
  return {
    provider,
    llm: new ReplayLlmAdapter(cassette),
    description: `offline replay of a scripted recording (${relative(process.cwd(), cassette)}); no model is called`,
  };
}
