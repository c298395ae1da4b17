/**
 *   pnpm --filter @promethean-os/example-data-analyst start [question]
 * Without a question: three sample questions about the bundled CSV.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type PantheonRuntime, startApp } from '@promethean-os/pantheon';
import { PantheonError } from '@promethean-os/pantheon-core';
import { ANALYST_ID } from './actors/analyst';
import { ScriptedAnalystModel } from './adapters/llm/scripted-analyst-model';
import { consoleRuntimeLog, consoleTrace } from './console-trace';
import type { CsvTable } from './csv/csv-table';
import { loadDataAnalyst } from './data-analyst';

/** The example's configuration, wherever the script runs from; PANTHEON_* variables apply. */
const CONFIG_FILE = fileURLToPath(new URL('../pantheon.config.ts', import.meta.url));
/** How long one question may take, hand-off and tool calls included. */
const ASK_TIMEOUT_MS = 120_000;

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
let pantheon: PantheonRuntime;
let table: CsvTable;
try {
  const config = await loadConfig({ file: CONFIG_FILE });
  const analyst = await loadDataAnalyst(process.env);
  table = analyst.table;
  pantheon = await startApp(config, analyst.app, {
    hooks: consoleTrace(console.log),
    log: consoleRuntimeLog(console.error),
  });
} catch (error) {
  console.error(`error: ${failure(error)}`);
  process.exit(1);
}

const model =
  pantheon.config.adapters.llm.type === 'mock'
    ? `${ScriptedAnalystModel.label}; set PANTHEON_LLM_PROVIDER=openai and OPENAI_API_KEY (or claude and ANTHROPIC_API_KEY) for a real model`
    : pantheon.model;
const columns = table.columns.map(({ name, type }) =>
  type === 'number' ? `${name} (number)` : name,
);
console.log('Pantheon data analyst');
console.log(`  model: ${model}`);
console.log(
  `  data:  ${relative(process.cwd(), table.source)}, ${table.rows.length} rows: ${columns.join(', ')}`,
);
try {
  for (const text of question ? [question] : SAMPLE_QUESTIONS) {
    console.log(`\n? ${text}`);
    try {
      const answer = await pantheon.ask(ANALYST_ID, text, { timeoutMs: ASK_TIMEOUT_MS });
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
  await pantheon.shutdown();
}
