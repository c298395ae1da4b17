import { API_KEY_VARIABLES, type Environment } from '../../config/config-environment';
import type { LlmConfig } from '../../config/config-schema';

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * The model `pantheon dev` runs: the configured one when it can be reached, else the offline mock
 * model — with the reason, for the banner. OpenAI needs `OPENAI_API_KEY`, unless it talks to an
 * OpenAI-compatible server (`baseURL`, `OPENAI_BASE_URL`); Claude needs `ANTHROPIC_API_KEY`.
 */
export function devModel(llm: LlmConfig, env: Environment): { llm: LlmConfig; offline?: string } {
  switch (llm.type) {
    case 'mock':
      return { llm, offline: 'adapters.llm.type is "mock"' };
    case 'openai':
      if (
        isSet(env[API_KEY_VARIABLES.openai]) ||
        llm.baseURL !== undefined ||
        isSet(env.OPENAI_BASE_URL)
      ) {
        return { llm };
      }
      return {
        llm: { type: 'mock' },
        offline: `${API_KEY_VARIABLES.openai} is not set; set it and run pantheon dev again to use OpenAI${llm.model ? ` ${llm.model}` : ''}`,
      };
    case 'claude':
      if (isSet(env[API_KEY_VARIABLES.claude])) return { llm };
      return {
        llm: { type: 'mock' },
        offline: `${API_KEY_VARIABLES.claude} is not set; set it and run pantheon dev again to use Claude${llm.model ? ` ${llm.model}` : ''}`,
      };
  }
}
