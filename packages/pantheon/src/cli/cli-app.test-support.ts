/**
 * The app the CLI tests run with `pantheon start` (named by `entry` in their configuration):
 * `echo` answers through the configured model; `slow` answers after PANTHEON_TEST_SLOW_MS
 * (default 300 ms), so a test can catch messages in its mailbox at a SIGTERM.
 */
import { type Behavior, llmBehavior } from '@promethean-os/pantheon-core';
import { defineApp } from '../index';

const slowMs = Number(process.env.PANTHEON_TEST_SLOW_MS ?? 300);

const slowReply: Behavior = {
  name: 'slow-reply',
  mode: 'active',
  async plan({ context, signal }) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, slowMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
    const question = context.findLast((message) => message.role === 'user')?.content ?? '';
    return { actions: [{ type: 'message', content: `slow answer to: ${question}` }] };
  },
};

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
    {
      id: 'slow',
      script: {
        name: 'slow',
        talents: [{ name: 'wait', behaviors: [slowReply] }],
        contextSources: [],
      },
      goals: ['Answer slowly'],
    },
  ],
});
