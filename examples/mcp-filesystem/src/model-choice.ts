import { ConfigError, type LlmPort } from '@promethean-os/pantheon-core';
import { ClaudeAdapter } from '@promethean-os/pantheon-llm-claude';
import { OpenAiAdapter } from '@promethean-os/pantheon-llm-openai';
import { ScriptedFolderModel } from './scripted-folder-model';

export type Provider = 'openai' | 'anthropic' | 'scripted';

/** The model the librarian will use, and a line for the console saying which. */
export interface ModelChoice {
  provider: Provider;
  llm: LlmPort;
  description: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

const PROVIDERS: readonly Provider[] = ['openai', 'anthropic', 'scripted'];

function value(env: Environment, name: string): string | undefined {
  const set = env[name]?.trim();
  return set === '' ? undefined : set;
}

function missingKey(provider: Provider, variable: string): never {
  throw new ConfigError(`The ${provider} model needs ${variable}; set it, or run offline`, {
    variable,
  });
}

/**
 * Picks the model from `env` (`process.env` in `main`): `MCP_FILESYSTEM_PROVIDER` (`openai`,
 * `anthropic` or `scripted`) when set; otherwise OpenAI when `OPENAI_API_KEY` or `OPENAI_BASE_URL`
 * is set, then Claude when `ANTHROPIC_API_KEY` is set, else the offline scripted stand-in.
 * `OPENAI_MODEL` / `ANTHROPIC_MODEL` and `ANTHROPIC_BASE_URL` are passed on.
 *
 * @throws ConfigError for an unknown provider, or a provider without its API key.
 */
export function chooseModel(env: Environment): ModelChoice {
  const requested = value(env, 'MCP_FILESYSTEM_PROVIDER');
  if (requested !== undefined && !PROVIDERS.includes(requested as Provider)) {
    throw new ConfigError(
      `MCP_FILESYSTEM_PROVIDER must be one of ${PROVIDERS.join(', ')}; got "${requested}"`,
      { variable: 'MCP_FILESYSTEM_PROVIDER', value: requested },
    );
  }
  const provider: Provider =
    (requested as Provider | undefined) ??
    (value(env, 'OPENAI_API_KEY') || value(env, 'OPENAI_BASE_URL')
      ? 'openai'
      : value(env, 'ANTHROPIC_API_KEY')
        ? 'anthropic'
        : 'scripted');
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
    llm: new ScriptedFolderModel(),
    description:
      'a SCRIPTED STAND-IN, not a language model: fixed rules pick the tool calls and quote matching lines (set OPENAI_API_KEY or ANTHROPIC_API_KEY for a real model)',
  };
}
