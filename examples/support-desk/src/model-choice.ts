import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type LlmPort } from '@promethean-os/pantheon-core';
import { AiSdkLlmAdapter, type LanguageModelResolver } from '@promethean-os/pantheon-llm-ai-sdk';
import { ClaudeAdapter } from '@promethean-os/pantheon-llm-claude';
import { OpenAiAdapter } from '@promethean-os/pantheon-llm-openai';
import { ReplayLlmAdapter } from '@promethean-os/pantheon-test';

/** The committed recording the desk replays when no provider is configured. */
export const SUPPORT_DESK_CASSETTE = fileURLToPath(
  new URL('../cassettes/support-desk.cassette.json', import.meta.url),
);

export type Provider = 'openai' | 'anthropic' | 'ai-sdk' | 'replay';

/** The model the desk will use, and why. */
export interface ModelChoice {
  provider: Provider;
  llm: LlmPort;
  /** One line for the console. */
  description: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

const PROVIDERS: readonly Provider[] = ['openai', 'anthropic', 'ai-sdk', 'replay'];

/**
 * AI SDK provider packages by name, as `import(name)` gives them, for `chooseModel`;
 * `chooseModelFromEnvironment` imports the one `AI_SDK_MODEL` names.
 */
export type AiSdkPackages = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** `AI_SDK_MODEL` read as a package and a model id. */
export interface AiSdkModelName {
  packageName: string;
  modelId: string;
}

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
  if (value(env, 'AI_SDK_MODEL')) return 'ai-sdk';
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
 * `AI_SDK_MODEL` (`<provider package>:<model id>`, e.g. `@ai-sdk/google:gemini-2.5-flash`), or
 * `undefined` when it is not set.
 *
 * @throws ConfigError naming `AI_SDK_MODEL` when it is not of that form.
 */
export function aiSdkModelName(env: Environment): AiSdkModelName | undefined {
  const set = value(env, 'AI_SDK_MODEL');
  if (set === undefined) return undefined;
  const match = /^((?:@[^/:\s]+\/)?[^/:\s]+):(\S+)$/.exec(set);
  if (!match) {
    throw new ConfigError(
      `AI_SDK_MODEL must be <provider package>:<model id>, e.g. @ai-sdk/google:gemini-2.5-flash; got "${set}"`,
      { variable: 'AI_SDK_MODEL', value: set },
    );
  }
  return { packageName: match[1] as string, modelId: match[2] as string };
}

/** The provider instance a package exports (`google` of `@ai-sdk/google`): its only one. */
function providerOf(module: Readonly<Record<string, unknown>>, packageName: string) {
  const providers = Object.entries(module).filter(
    ([, exported]) =>
      typeof exported === 'function' &&
      typeof (exported as Partial<LanguageModelResolver>).languageModel === 'function',
  );
  if (providers.length !== 1) {
    const found = providers.map(([name]) => name).join(', ') || 'none';
    throw new ConfigError(
      `${packageName} must export exactly one AI SDK provider instance (a function with languageModel); found ${found}. Create the model in code for packages that only export a factory`,
      { variable: 'AI_SDK_MODEL', package: packageName, providers: found },
    );
  }
  return providers[0]?.[1] as LanguageModelResolver;
}

/**
 * Picks the model from the environment variables in `env` (`process.env` in `main`):
 * `SUPPORT_DESK_PROVIDER` (`openai`, `anthropic`, `ai-sdk` or `replay`) when set; otherwise the
 * AI SDK model `AI_SDK_MODEL` names (its package taken from `packages`) when it is set, then OpenAI when
 * `OPENAI_API_KEY` or `OPENAI_BASE_URL` (an OpenAI-compatible server such as Ollama, which needs no
 * real key) is set, then Claude when `ANTHROPIC_API_KEY` is set, else the offline replay of
 * `cassette`. `OPENAI_MODEL` / `ANTHROPIC_MODEL` and `ANTHROPIC_BASE_URL` are passed on.
 * Constructing an adapter sends no request.
 *
 * @throws ConfigError for an unknown `SUPPORT_DESK_PROVIDER`, or a provider without its API key.
 */
export function chooseModel(
  env: Environment,
  cassette = SUPPORT_DESK_CASSETTE,
  packages: AiSdkPackages = {},
): ModelChoice {
  const provider = pickProvider(env);
  if (provider === 'ai-sdk') {
    const { packageName, modelId } = aiSdkModelName(env) ?? missingKey(provider, 'AI_SDK_MODEL');
    const module = packages[packageName];
    if (module === undefined) {
      throw new ConfigError(
        `${packageName} is not loaded: use chooseModelFromEnvironment, which imports it`,
        { variable: 'AI_SDK_MODEL', package: packageName },
      );
    }
    const resolver = providerOf(module, packageName);
    // The provider reads its own key and settings from the environment on the first call.
    const llm = new AiSdkLlmAdapter(resolver.languageModel(modelId), { provider: resolver });
    return {
      provider,
      llm,
      description: `AI SDK model ${llm.model.modelId} of ${packageName} (${llm.model.provider})`,
    };
  }
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

/**
 * `chooseModel`, after importing the AI SDK provider package that `AI_SDK_MODEL` names (it must be
 * installed in this example: `pnpm --filter @promethean-os/example-support-desk add @ai-sdk/mistral`).
 *
 * @throws ConfigError as `chooseModel`, or naming the package when it is not installed.
 */
export async function chooseModelFromEnvironment(
  env: Environment,
  cassette = SUPPORT_DESK_CASSETTE,
): Promise<ModelChoice> {
  const name = pickProvider(env) === 'ai-sdk' ? aiSdkModelName(env) : undefined;
  if (name === undefined) return chooseModel(env, cassette);
  let module: Record<string, unknown>;
  try {
    module = await import(name.packageName);
  } catch (error) {
    throw new ConfigError(
      `AI_SDK_MODEL names ${name.packageName}, which could not be imported; install it with: pnpm --filter @promethean-os/example-support-desk add ${name.packageName}`,
      { variable: 'AI_SDK_MODEL', package: name.packageName },
      { cause: error },
    );
  }
  return chooseModel(env, cassette, { [name.packageName]: module });
}
