import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Environment, loadConfig, openModel } from '@promethean-os/pantheon';
import { ConfigError, type LlmPort } from '@promethean-os/pantheon-core';
import { AiSdkLlmAdapter, type LanguageModelResolver } from '@promethean-os/pantheon-llm-ai-sdk';
import { ReplayLlmAdapter } from '@promethean-os/pantheon-test';

/** The committed recording the desk replays when no provider is configured. */
export const SUPPORT_DESK_CASSETTE = fileURLToPath(
  new URL('../cassettes/support-desk.cassette.json', import.meta.url),
);

/** The example folder: it has no pantheon.config file, so only the variables count. */
const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

export type Provider = 'ai-sdk' | 'openai' | 'claude' | 'replay';

/** The model the desk will use, and why. */
export interface ModelChoice {
  provider: Provider;
  llm: LlmPort;
  /** One line for the console. */
  description: string;
}

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
 * Picks the model from the environment variables in `env` (`process.env` in `main`): the AI SDK
 * model `AI_SDK_MODEL` names (its package taken from `packages`) when it is set; otherwise the
 * model the `PANTHEON_*` variables choose, opened as a Pantheon app's would be (`loadConfig` +
 * `openModel`: `PANTHEON_LLM_PROVIDER` `openai` or `claude` with `OPENAI_API_KEY` /
 * `ANTHROPIC_API_KEY`, `PANTHEON_LLM_MODEL`, `PANTHEON_LLM_BASE_URL`); when they choose none, the
 * offline replay of `cassette`. Constructing an adapter sends no request.
 *
 * @throws ConfigError for a malformed `AI_SDK_MODEL` or a package without one provider instance,
 *   `CONFIG_INVALID` naming an invalid `PANTHEON_*` variable, `CONFIG_ERROR` naming the missing
 *   key of the chosen model.
 */
export async function chooseModel(
  env: Environment,
  cassette = SUPPORT_DESK_CASSETTE,
  packages: AiSdkPackages = {},
): Promise<ModelChoice> {
  const name = aiSdkModelName(env);
  if (name !== undefined) {
    const { packageName, modelId } = name;
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
      provider: 'ai-sdk',
      llm,
      description: `AI SDK model ${llm.model.modelId} of ${packageName} (${llm.model.provider})`,
    };
  }
  const config = await loadConfig({ cwd: EXAMPLE_DIR, env });
  const provider = config.adapters.llm.type;
  if (provider === 'mock') {
    return {
      provider: 'replay',
      llm: new ReplayLlmAdapter(cassette),
      description: `offline replay of a scripted recording (${relative(process.cwd(), cassette)}); no model is called`,
    };
  }
  const { llm, description } = await openModel(config, { env });
  return { provider, llm, description };
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
  const name = aiSdkModelName(env);
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
