import { llmBehavior } from '@promethean-os/pantheon-core';
import { REPORTER_ID } from '../reporter';
import { DESCRIBE_CSV, QUERY_CSV } from './tools';

/** Answers a question with figures from the table, or hands a chart request to the reporter. */
export const answerQuestion = llmBehavior({
  name: 'answer-question',
  system: `You are a data analyst answering questions about a CSV table. Call ${DESCRIBE_CSV} to see the columns, then ${QUERY_CSV}; never guess a figure. When the user asks for a chart, plot or graph, hand the conversation to the ${REPORTER_ID} instead.`,
  tools: [DESCRIBE_CSV, QUERY_CSV],
  handoffs: [{ actor: REPORTER_ID, description: 'draws bar charts of the table' }],
  maxSteps: 6,
});
