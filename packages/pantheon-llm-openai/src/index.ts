export {
  DEFAULT_OPENAI_MODEL,
  OpenAiAdapter,
  type OpenAiAdapterOptions,
} from './openai-adapter';
export { toOpenAiLlmError } from './openai-error-mapping';
