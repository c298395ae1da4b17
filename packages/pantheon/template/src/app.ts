// The app `pantheon.config.ts` names as `entry`: its actors and their tools. The model, the
// stores and the bus come from the configuration.
import { defineApp } from '@promethean-os/pantheon';
import { assistant, assistantTools } from './actors/assistant/index.ts';

export default defineApp({
  tools: [...assistantTools],
  actors: [assistant],
});
