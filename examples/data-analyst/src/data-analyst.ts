import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineApp, type Environment, type PantheonApp } from '@promethean-os/pantheon';
import { ANALYST_ID, analystScript } from './actors/analyst';
import { describeCsvTool, queryCsvTool } from './actors/analyst/tools';
import { REPORTER_ID, reporterScript } from './actors/reporter';
import { chartCsvTool } from './actors/reporter/tools';
import { ScriptedAnalystModel } from './adapters/llm/scripted-analyst-model';
import { type CsvTable, loadCsvTable } from './csv/csv-table';

/** The CSV bundled with the example: 40 orders of an outdoor-gear wholesaler. */
export const SAMPLE_CSV = fileURLToPath(new URL('../data/sales.csv', import.meta.url));

/** The example's one setting of its own: the CSV file the actors answer questions about. */
export const CSV_VARIABLE = 'DATA_ANALYST_CSV';

/**
 * The CSV file `DATA_ANALYST_CSV` names (relative to `cwd`), or the bundled sample when it is
 * unset or empty. Everything else (the model, stores, logs) is the Pantheon configuration's.
 */
export function csvFile(env: Environment = process.env, cwd = process.cwd()): string {
  const set = env[CSV_VARIABLE]?.trim();
  return set ? resolve(cwd, set) : SAMPLE_CSV;
}

/**
 * The data analyst as a Pantheon app over `table`: the tools built from its header, the
 * reporter and the analyst (the reporter first, so that the analyst's hand-off target exists),
 * and the scripted stand-in that answers when the configuration's model is `mock`.
 */
export function dataAnalystApp(table: CsvTable): PantheonApp {
  return defineApp({
    tools: [describeCsvTool(table), queryCsvTool(table), chartCsvTool(table)],
    actors: [
      {
        id: REPORTER_ID,
        name: 'Reporter',
        script: reporterScript,
        goals: ['Draw the chart the user asks for'],
      },
      {
        id: ANALYST_ID,
        name: 'Analyst',
        script: analystScript,
        goals: ['Answer questions about the table with figures from it'],
      },
    ],
    offlineModel: new ScriptedAnalystModel(),
  });
}

/** The app and the table it answers about. */
export interface DataAnalyst {
  app: PantheonApp;
  table: CsvTable;
}

/**
 * Loads the CSV `csvFile(env)` names and returns the app over it.
 *
 * @throws ConfigError `CSV_INVALID` when the file cannot be read or parsed, naming it and the line.
 */
export async function loadDataAnalyst(env: Environment = process.env): Promise<DataAnalyst> {
  const table = await loadCsvTable(csvFile(env));
  return { app: dataAnalystApp(table), table };
}
