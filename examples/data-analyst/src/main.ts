/**
 *   pnpm --filter @promethean-os/example-data-analyst start [question]
 * Without a question: three sample questions about the bundled CSV.
 */
import { relative } from 'node:path';
import { PantheonError } from '@promethean-os/pantheon-core';
import { loadDataAnalystConfig } from './config/pantheon.config';
import { consoleRuntimeLog, consoleTrace } from './console-trace';
import { type DataAnalyst, startDataAnalyst } from './data-analyst';

const SAMPLE_QUESTIONS = [
  'What was the total revenue by region?',
  'How many orders had more than 15 units?',
  'Chart the units sold per product.',
];

/** `CODE (CAUSE CODE): message` — the message of a failed `ask` already holds its cause's. */
function failure(error: unknown): string {
  if (!PantheonError.isInstance(error)) return String(error);
  const cause = PantheonError.isInstance(error.cause) ? ` (${error.cause.code})` : '';
  return `${error.code}${cause}: ${error.message}`;
}

const question = process.argv.slice(2).join(' ').trim();
let analyst: DataAnalyst;
try {
  analyst = await startDataAnalyst(loadDataAnalystConfig(process.env), {
    hooks: consoleTrace(console.log),
    log: consoleRuntimeLog(console.error),
  });
} catch (error) {
  console.error(`error: ${failure(error)}`);
  process.exit(1);
}

const { table } = analyst;
const columns = table.columns.map(({ name, type }) =>
  type === 'number' ? `${name} (number)` : name,
);
console.log('Pantheon data analyst');
console.log(`  model: ${analyst.model}`);
console.log(
  `  data:  ${relative(process.cwd(), table.source)}, ${table.rows.length} rows: ${columns.join(', ')}`,
);
try {
  for (const text of question ? [question] : SAMPLE_QUESTIONS) {
    console.log(`\n? ${text}`);
    try {
      const answer = await analyst.ask(text);
      // A chart spans lines: print it under the actor's name, indented.
      const lines = answer.content.split('\n');
      if (lines.length === 1) console.log(`${answer.from}: ${answer.content}`);
      else console.log(`${answer.from}:\n${lines.map((line) => `  ${line}`).join('\n')}`);
    } catch (error) {
      console.error(`error: ${failure(error)}`);
      process.exitCode = 1;
    }
  }
} finally {
  await analyst.shutdown();
}
