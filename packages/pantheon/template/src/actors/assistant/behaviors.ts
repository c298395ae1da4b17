import { llmBehavior } from '@promethean-os/pantheon-core';
import { CURRENT_TIME } from './tools.ts';

/** Answers through the model, which calls `current-time` rather than guessing the time. */
export const answer = llmBehavior({
  name: 'answer',
  system: `You are a helpful assistant. When asked for the time or date somewhere, call ${CURRENT_TIME} with that place's IANA time zone; never guess it.`,
  tools: [CURRENT_TIME],
  maxSteps: 4,
});
