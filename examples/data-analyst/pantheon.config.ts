// The Pantheon configuration of the data analyst, read by `pantheon start` and by `pnpm start`
// (src/main.ts). Everything else comes from the defaults: in memory, and the offline model — the
// app's scripted stand-in. PANTHEON_* variables override it, e.g. for a real model:
//   PANTHEON_LLM_PROVIDER=openai OPENAI_API_KEY=sk-… (or claude with ANTHROPIC_API_KEY)
import { defineConfig } from '@promethean-os/pantheon';

export default defineConfig({
  entry: './src/app.ts',
});
