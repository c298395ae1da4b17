import type { ActorScript } from '@promethean-os/pantheon-core';
import { answerQuestion } from './behaviors';

export const ANALYST_ID = 'analyst';

/** The analyst: answers questions about the CSV table; charts go to the reporter. */
export const analystScript: ActorScript = {
  name: 'analyst',
  description: 'Answers questions about a CSV table with figures from its tools',
  talents: [{ name: 'data-analysis', behaviors: [answerQuestion] }],
  contextSources: [
    {
      type: 'text',
      content:
        'Answer in one or two sentences. Name the columns and filters behind each figure, and give the figures as the tool returned them.',
      metadata: { category: 'style' },
    },
  ],
};
