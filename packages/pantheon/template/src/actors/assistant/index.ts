import type { AppActor } from '@promethean-os/pantheon';
import { answer } from './behaviors.ts';
import { currentTimeTool } from './tools.ts';

/** The assistant: answers the user, and knows the time anywhere. */
export const assistant: AppActor = {
  id: 'assistant',
  script: {
    name: 'assistant',
    description: 'Answers questions; tells the time in any time zone',
    talents: [{ name: 'conversation', behaviors: [answer] }],
    contextSources: [{ type: 'text', content: 'Answer in one or two sentences.' }],
  },
  goals: ['Answer the user helpfully'],
};

/** The tools the assistant's behaviors call. */
export const assistantTools = [currentTimeTool()];
