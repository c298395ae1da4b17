// What `pantheon dev` and `pantheon start` run: the app module, the model, where actors live.
// PANTHEON_* environment variables override it; secrets (OPENAI_API_KEY) come only from the
// environment. Every field: https://github.com/promethean-os/pantheon/blob/main/docs/configuration.md
import { defineConfig } from '@promethean-os/pantheon';

export default defineConfig({
  entry: './src/app.ts',
  adapters: {
    // Reads OPENAI_API_KEY; without it, `pantheon dev` answers with an offline mock model.
    llm: { type: 'openai', model: 'gpt-5.4-mini' },
    // In memory: nothing survives a restart. For durable actors and mailboxes:
    // { type: 'sqlite', file: './data/pantheon.db' } or { type: 'postgres', url: '…' }.
    persistence: { type: 'memory' },
  },
});
