import { fileURLToPath } from 'node:url';
import { type Environment, loadConfig, type OpenedModel, openModel } from '@promethean-os/pantheon';
import { ScriptedFolderModel } from './scripted-folder-model';

/** The example folder: it has no pantheon.config file, so only the variables count. */
const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));

const STAND_IN =
  'a SCRIPTED STAND-IN, not a language model: fixed rules pick the tool calls and quote matching lines (set PANTHEON_LLM_PROVIDER=openai and OPENAI_API_KEY, or claude and ANTHROPIC_API_KEY, for a real model)';

/**
 * The model the `PANTHEON_*` variables in `env` (`process.env` in `main`) choose, opened as a
 * Pantheon app's would be (`loadConfig` + `openModel`): `PANTHEON_LLM_PROVIDER` `openai` or
 * `claude` with `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`, `PANTHEON_LLM_MODEL`,
 * `PANTHEON_LLM_BASE_URL`; unset, the offline scripted stand-in. Constructing a model sends no
 * request.
 *
 * @throws ConfigError `CONFIG_INVALID` naming an invalid variable, `CONFIG_ERROR` naming the
 *   missing key of the chosen model.
 */
export async function chooseModel(env: Environment): Promise<OpenedModel> {
  const config = await loadConfig({ cwd: EXAMPLE_DIR, env });
  const model = await openModel(config, { env, offlineModel: new ScriptedFolderModel() });
  return config.adapters.llm.type === 'mock' ? { ...model, description: STAND_IN } : model;
}
