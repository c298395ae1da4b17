/**
 * `@promethean-os/pantheon-llm-openai`: `OpenAiAdapter`, the `LlmPort` on the official `openai`
 * SDK, for OpenAI and any OpenAI-compatible server (`baseURL`).
 *
 * @packageDocumentation
 */
export {
  DEFAULT_OPENAI_MODEL,
  OPENAI_MODELS_WITHOUT_REASONING,
  OpenAiAdapter,
  type OpenAiAdapterOptions,
  type OpenAiApi,
} from './openai-adapter';
export { OPENAI_REASONING_METADATA_KEY } from './openai-responses-mapping';
