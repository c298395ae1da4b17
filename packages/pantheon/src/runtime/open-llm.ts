import { ConfigError, type LlmPort } from '@promethean-os/pantheon-core';
import { API_KEY_VARIABLES, type Environment } from '../config/config-environment';
import type { LlmConfig } from '../config/config-schema';
import { OfflineEchoModel } from './offline-model';

/** A model `openModel` opened, and one line saying which it is (for a start-up log). */
export interface OpenedModel {
  /** The model. */
  llm: LlmPort;
  /** Which model, in words: provider, model and URL, or the offline stand-in. */
  description: string;
}

function variable(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function missingKey(type: 'openai' | 'claude', name: string): ConfigError {
  return new ConfigError(
    `adapters.llm.type is "${type}" but ${name} is not set. Set it in the environment (API keys are never read from the configuration file), or run offline with PANTHEON_LLM_PROVIDER=mock`,
    { field: 'adapters.llm.type', variable: name },
  );
}

/**
 * The model `adapters.llm` names, its API key from `env`; the SDK is imported only when chosen.
 * A missing key is a `ConfigError` naming the variable to set. An OpenAI-compatible server
 * (`baseURL`, or `OPENAI_BASE_URL`) needs no key.
 */
export async function openLlm(
  config: LlmConfig,
  env: Environment,
  offlineModel: LlmPort | undefined,
): Promise<OpenedModel> {
  switch (config.type) {
    case 'mock':
      return offlineModel
        ? { llm: offlineModel, description: "the app's offline model (no model is called)" }
        : {
            llm: new OfflineEchoModel(),
            description: `${OfflineEchoModel.label}: echoes the last user message, no model is called`,
          };
    case 'openai': {
      const baseURL = config.baseURL ?? variable(env, 'OPENAI_BASE_URL');
      // A local OpenAI-compatible server takes any key, but the SDK needs a non-empty one.
      const apiKey =
        variable(env, API_KEY_VARIABLES.openai) ?? (baseURL === undefined ? undefined : 'local');
      if (apiKey === undefined) throw missingKey('openai', API_KEY_VARIABLES.openai);
      const { OpenAiAdapter } = await import('@promethean-os/pantheon-llm-openai');
      const llm = new OpenAiAdapter({
        apiKey,
        baseURL,
        model: config.model,
        timeout: config.timeoutMs,
        maxRetries: config.maxRetries,
      });
      return { llm, description: `OpenAI model ${llm.model} at ${llm.client.baseURL}` };
    }
    case 'claude': {
      const apiKey = variable(env, API_KEY_VARIABLES.claude);
      if (apiKey === undefined) throw missingKey('claude', API_KEY_VARIABLES.claude);
      const { ClaudeAdapter } = await import('@promethean-os/pantheon-llm-claude');
      const llm = new ClaudeAdapter({
        apiKey,
        baseURL: config.baseURL,
        model: config.model,
        maxTokens: config.maxTokens,
        timeout: config.timeoutMs,
        maxRetries: config.maxRetries,
      });
      return { llm, description: `Claude model ${llm.model} at ${llm.client.baseURL}` };
    }
  }
}
