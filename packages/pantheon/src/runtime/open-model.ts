import type { LlmPort } from '@promethean-os/pantheon-core';
import type { Environment } from '../config/config-environment';
import type { PantheonConfig, PantheonConfigInput } from '../config/config-schema';
import { resolveConfig } from '../config/load-config';
import { type OpenedModel, openLlm } from './open-llm';

/** Options of `openModel`. */
export interface OpenModelOptions {
  /** Where API keys (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`) are read. Default `process.env`. */
  env?: Environment;
  /**
   * The stand-in when `adapters.llm.type` is `mock`, e.g. a scripted model that knows the app's
   * tools. Default: a model that echoes the last user message, labelled `[offline mock model]`.
   */
  offlineModel?: LlmPort;
}

/**
 * The model a configuration's `adapters.llm` names, opened as `createPantheon` opens it — OpenAI
 * or Claude with its API key from the environment, or the offline stand-in for `mock` — and one
 * line saying which. For code that wires its own `PantheonSystem` (or records a cassette) and
 * chooses its model the way a Pantheon app does: `PANTHEON_LLM_PROVIDER`, `PANTHEON_LLM_MODEL`,
 * `PANTHEON_LLM_BASE_URL` through `loadConfig`. Constructing a model sends no request.
 *
 * @throws ConfigError `CONFIG_INVALID` for an invalid configuration, `CONFIG_ERROR` when the
 * chosen model's API key is not set (naming the variable).
 *
 * @example
 * const { llm, description } = await openModel(await loadConfig(), { offlineModel: new ScriptedModel() });
 * console.log(`model: ${description}`);
 * const system = new PantheonSystem({ llmAdapter: llm, ...otherPorts });
 */
export async function openModel(
  config: PantheonConfig | PantheonConfigInput,
  options: OpenModelOptions = {},
): Promise<OpenedModel> {
  return await openLlm(
    resolveConfig(config).adapters.llm,
    options.env ?? process.env,
    options.offlineModel,
  );
}
