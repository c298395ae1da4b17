import type { ActorScript } from '@promethean-os/pantheon-core';
import { drawChart } from './behaviors';

export const REPORTER_ID = 'reporter';

/** The reporter: turns a question into a bar chart of the table. */
export const reporterScript: ActorScript = {
  name: 'reporter',
  description: 'Draws bar charts of the CSV table',
  talents: [{ name: 'charting', behaviors: [drawChart] }],
  contextSources: [],
};
