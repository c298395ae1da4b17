/**
 * `@promethean-os/pantheon-llm-claude`: `ClaudeAdapter`, the `LlmPort` on `@anthropic-ai/sdk`.
 *
 * @packageDocumentation
 */
export {
  ClaudeAdapter,
  type ClaudeAdapterOptions,
  type ClaudePromptCaching,
  DEFAULT_CACHE_MIN_CHARS,
  DEFAULT_CLAUDE_MAX_TOKENS,
  DEFAULT_CLAUDE_MODEL,
  MODELS_WITHOUT_FORCED_TOOL_CHOICE,
} from './claude-adapter';
export { CLAUDE_CONTENT_METADATA_KEY } from './claude-message-mapping';
export {
  CLAUDE_MODELS_WITHOUT_STRUCTURED_OUTPUT,
  type ClaudeStructuredOutput,
} from './claude-output';
