// The public surface of the package: the runtime names of its entry point, sorted, so that a
// change to what users can import shows as a diff in review.
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };

describe('public API of @promethean-os/pantheon-llm-claude', () => {
  it('has one entry point', () => {
    expect(Object.keys(packageJson.exports)).toMatchInlineSnapshot(`
      [
        ".",
        "./package.json",
      ]
    `);
  });

  it('exports what users write against', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "CLAUDE_CONTENT_METADATA_KEY",
        "CLAUDE_MODELS_WITHOUT_STRUCTURED_OUTPUT",
        "ClaudeAdapter",
        "DEFAULT_CACHE_MIN_CHARS",
        "DEFAULT_CLAUDE_MAX_TOKENS",
        "DEFAULT_CLAUDE_MODEL",
        "MODELS_WITHOUT_FORCED_TOOL_CHOICE",
      ]
    `);
  });
});
