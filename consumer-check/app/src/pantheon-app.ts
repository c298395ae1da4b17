// The app `pantheon start` runs in the consumer check (named by `entry` in the configuration that
// `cli-check.ts` writes): one actor answering through the configured model, here the offline mock.
import { defineApp } from '@promethean-os/pantheon';
import { llmBehavior } from '@promethean-os/pantheon-core';

export default defineApp({
  actors: [
    {
      id: 'echo',
      script: {
        name: 'echo',
        talents: [{ name: 'talk', behaviors: [llmBehavior({ name: 'answer' })] }],
        contextSources: [],
      },
      goals: ['Answer'],
    },
  ],
});
