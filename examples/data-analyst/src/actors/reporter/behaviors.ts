import { llmBehavior } from '@promethean-os/pantheon-core';
import { DESCRIBE_CSV } from '../analyst/tools';
import { CHART_CSV } from './tools';

/** Draws the chart the user asked for and answers with it. */
export const drawChart = llmBehavior({
  name: 'draw-chart',
  system: `You are a reporter who draws charts of a CSV table. Call ${DESCRIBE_CSV} to see the columns, then ${CHART_CSV} once. Answer with the chart exactly as the tool returned it, then one sentence on what it shows.`,
  tools: [DESCRIBE_CSV, CHART_CSV],
  maxSteps: 6,
});
